//! The browser index's files: their bytes, written by the indexer and read by [`crate::Engine`].
//!
//! - `root.txt`: a small text file (version, document count, build id, score scale, then one line
//!   per shard, vocabulary bucket and filter). It grows with the number of ~16 KB shards, never with
//!   per-document data.
//! - `s/<i>.bin` shards: a sorted, front-coded term table (term, document frequency, postings
//!   length) followed by the postings: delta-varint document number and one impact byte.
//! - `v/<i>.bin` vocabulary buckets: terms starting with one prefix, with document frequency,
//!   for typo correction.
//! - `f/<i>.bin` filters: the sorted documents of one `key=value` (delta-varint list or bitmap).
//!
//! Every decoder checks bounds and returns [`FormatError`] on corrupt input; none panics.

use std::fmt;

/// Most documents an index may hold (the engine keeps a few bytes per document while scoring).
pub const MAX_DOCS: u32 = 1 << 24;

/// The root file's first line.
pub const ROOT_MAGIC: &str = "hisper-web-index 1";
const SHARD_MAGIC: &[u8; 4] = b"HSS1";
const VOCAB_MAGIC: &[u8; 4] = b"HSV1";
const LIST_MAGIC: &[u8; 4] = b"HSL1";
const BITMAP_MAGIC: &[u8; 4] = b"HSB1";

/// A corrupt or unknown file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(pub String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "corrupt browser index: {}", self.0)
    }
}

impl std::error::Error for FormatError {}

fn err<T>(msg: impl Into<String>) -> Result<T, FormatError> {
    Err(FormatError(msg.into()))
}

/// FNV-1a 64, for the build id (not for security).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A bounds-checked cursor over bytes.
pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }
    // Inlined, and a plain loop: the postings loop calls these per posting, and a browser's
    // baseline WebAssembly code pays for every call and iterator step.
    #[inline(always)]
    pub fn varint(&mut self) -> Result<u64, FormatError> {
        let mut v: u64 = 0;
        let mut shift = 0;
        while shift < 64 {
            let Some(&b) = self.buf.get(self.pos) else {
                return err("truncated varint");
            };
            self.pos += 1;
            v |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
        err("varint too long")
    }
    #[inline(always)]
    pub fn byte(&mut self) -> Result<u8, FormatError> {
        let Some(&b) = self.buf.get(self.pos) else {
            return err("truncated byte");
        };
        self.pos += 1;
        Ok(b)
    }
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return err("truncated bytes");
        };
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn magic(&mut self, m: &[u8; 4]) -> Result<(), FormatError> {
        if self.bytes(4)? != m {
            return err("bad magic");
        }
        Ok(())
    }
}

/// One (document, impact) pair.
pub type Posting = (u32, u8);

/// One term of a shard as the indexer writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TermEntry {
    pub term: String,
    /// Documents containing the term (before any cap on the postings).
    pub df: u32,
    /// Postings sorted by document.
    pub postings: Vec<Posting>,
}

fn shared_prefix(a: &str, b: &str) -> usize {
    let mut n = 0;
    for ((i, x), y) in a.char_indices().zip(b.chars()) {
        if x != y {
            return i;
        }
        n = i + x.len_utf8();
    }
    n
}

fn put_front_coded(out: &mut Vec<u8>, prev: &str, term: &str) {
    let shared = shared_prefix(prev, term);
    put_varint(out, shared as u64);
    put_varint(out, (term.len() - shared) as u64);
    out.extend_from_slice(&term.as_bytes()[shared..]);
}

fn read_front_coded(c: &mut Cursor, prev: &str) -> Result<String, FormatError> {
    let shared = c.varint()? as usize;
    let len = c.varint()? as usize;
    if shared > prev.len() || !prev.is_char_boundary(shared) {
        return err("bad shared prefix");
    }
    let suffix = c.bytes(len)?;
    let mut t = String::with_capacity(shared + len);
    t.push_str(&prev[..shared]);
    match std::str::from_utf8(suffix) {
        Ok(s) => t.push_str(s),
        Err(_) => return err("term is not UTF-8"),
    }
    Ok(t)
}

/// Encodes a shard; `terms` must be sorted by term.
pub fn encode_shard(terms: &[TermEntry]) -> Vec<u8> {
    let mut head = Vec::new();
    let mut body = Vec::new();
    head.extend_from_slice(SHARD_MAGIC);
    put_varint(&mut head, terms.len() as u64);
    let mut prev = "";
    for t in terms {
        put_front_coded(&mut head, prev, &t.term);
        prev = &t.term;
        put_varint(&mut head, t.df as u64);
        put_varint(&mut head, t.postings.len() as u64);
        let start = body.len();
        let mut last = 0u32;
        for (i, &(doc, imp)) in t.postings.iter().enumerate() {
            let delta = if i == 0 { doc } else { doc - last };
            put_varint(&mut body, delta as u64);
            body.push(imp);
            last = doc;
        }
        put_varint(&mut head, (body.len() - start) as u64);
    }
    head.extend_from_slice(&body);
    head
}

/// A decoded shard: the term table, postings decoded on demand. The terms sit in one string
/// (no allocation per term: decoding is on the cold path of a browser's first query).
#[derive(Debug, Clone)]
pub struct Shard {
    terms: Vec<ShardTerm>,
    text: String,
    body: Vec<u8>,
}

/// One term of a decoded shard: where its text and postings are.
#[derive(Debug, Clone, Copy)]
pub struct ShardTerm {
    pub df: u32,
    pub count: u32,
    text: (u32, u32),
    start: usize,
    len: usize,
}

/// Reads the next term of a shard's table (front-coded against `prev`) into `text`: a function of
/// its own so that the decoding loop stays small (see `Root::decode`).
#[inline(never)]
fn next_term(
    c: &mut Cursor,
    text: &mut Vec<u8>,
    prev: Option<&ShardTerm>,
    start: usize,
    max_text: usize,
) -> Result<ShardTerm, FormatError> {
    let first = prev.is_none();
    let prev = prev.map_or((0, 0), |p| (p.text.0 as usize, p.text.1 as usize));
    let shared = c.varint()? as usize;
    let len = c.varint()? as usize;
    if shared > prev.1 - prev.0 {
        return err("bad shared prefix");
    }
    let suffix = c.bytes(len)?;
    let from = text.len();
    text.extend_from_within(prev.0..prev.0 + shared);
    text.extend_from_slice(suffix);
    if !first && text[from..] <= text[prev.0..prev.1] {
        return err("terms out of order");
    }
    if text.len() > max_text {
        return err("shard terms too long");
    }
    Ok(ShardTerm {
        df: c.varint()? as u32,
        count: c.varint()? as u32,
        text: (from as u32, text.len() as u32),
        start,
        len: c.varint()? as usize,
    })
}

impl Shard {
    #[inline(never)]
    pub fn decode(bytes: &[u8]) -> Result<Shard, FormatError> {
        let mut c = Cursor::new(bytes);
        c.magic(SHARD_MAGIC)?;
        let n = c.varint()? as usize;
        if n > bytes.len() {
            return err("too many terms");
        }
        let mut terms: Vec<ShardTerm> = Vec::with_capacity(n);
        // The terms' text as bytes, checked as UTF-8 once at the end (one pass instead of a call
        // per term on a browser's cold path).
        let mut text: Vec<u8> = Vec::with_capacity(bytes.len().min(1 << 20));
        // Front coding lets a corrupt file describe far more text than it holds: a real shard's
        // terms are at most a few times its size.
        let max_text = bytes
            .len()
            .saturating_mul(64)
            .saturating_add(4096)
            .min(u32::MAX as usize);
        let mut start = 0usize;
        for _ in 0..n {
            let t = next_term(&mut c, &mut text, terms.last(), start, max_text)?;
            start = start
                .checked_add(t.len)
                .ok_or_else(|| FormatError("overflow".into()))?;
            terms.push(t);
        }
        let body = c.bytes(bytes.len() - c.pos)?.to_vec();
        if start != body.len() {
            return err("postings length mismatch");
        }
        let Ok(text) = String::from_utf8(text) else {
            return err("term is not UTF-8");
        };
        // Each term must be valid on its own: every term starts on a character boundary.
        if terms
            .iter()
            .any(|t| !text.is_char_boundary(t.text.0 as usize))
        {
            return err("term is not UTF-8");
        }
        Ok(Shard { terms, text, body })
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Term number `i` (empty if out of range).
    pub fn term(&self, i: usize) -> &str {
        self.terms
            .get(i)
            .map_or("", |t| &self.text[t.text.0 as usize..t.text.1 as usize])
    }

    /// Document frequency of term number `i` (0 if out of range).
    pub fn df(&self, i: usize) -> u32 {
        self.terms.get(i).map_or(0, |t| t.df)
    }

    /// Index of `term` in the table.
    pub fn find(&self, term: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.terms.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.term(mid).cmp(term) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Indices of the terms starting with `prefix`.
    pub fn with_prefix(&self, prefix: &str) -> std::ops::Range<usize> {
        let first = |pred: &dyn Fn(&str) -> bool, mut lo: usize| {
            let mut hi = self.terms.len();
            while lo < hi {
                let mid = (lo + hi) / 2;
                if pred(self.term(mid)) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        let lo = first(&|t| t < prefix, 0);
        let hi = first(&|t| t.starts_with(prefix), lo);
        lo..hi
    }

    /// The postings of term number `i`.
    pub fn postings(&self, i: usize) -> Result<Vec<Posting>, FormatError> {
        let mut out = Vec::with_capacity(self.terms.get(i).map_or(0, |t| t.count as usize));
        self.for_each_posting(i, |doc, imp| out.push((doc, imp)))?;
        Ok(out)
    }

    /// Calls `f` with each (document, impact) of term `i`, in document order, without
    /// collecting them (the engine's inner loop).
    pub fn for_each_posting(
        &self,
        i: usize,
        mut f: impl FnMut(u32, u8),
    ) -> Result<(), FormatError> {
        let Some(t) = self.terms.get(i) else {
            return err("no such term");
        };
        let Some(body) = self.body.get(t.start..t.start + t.len) else {
            return err("postings out of range");
        };
        let mut c = Cursor::new(body);
        let mut doc: u32 = 0;
        for k in 0..t.count {
            let d = u32::try_from(c.varint()?).map_err(|_| FormatError("doc overflow".into()))?;
            doc = if k == 0 {
                d
            } else {
                doc.checked_add(d)
                    .ok_or_else(|| FormatError("doc overflow".into()))?
            };
            f(doc, c.byte()?);
        }
        Ok(())
    }
}

/// Encodes a vocabulary bucket; `terms` sorted.
pub fn encode_vocab(terms: &[(String, u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(VOCAB_MAGIC);
    put_varint(&mut out, terms.len() as u64);
    let mut prev = "";
    for (t, df) in terms {
        put_front_coded(&mut out, prev, t);
        put_varint(&mut out, *df as u64);
        prev = t;
    }
    out
}

#[inline(never)]
pub fn decode_vocab(bytes: &[u8]) -> Result<Vec<(String, u32)>, FormatError> {
    let mut c = Cursor::new(bytes);
    c.magic(VOCAB_MAGIC)?;
    let n = c.varint()? as usize;
    if n > bytes.len() {
        return err("too many terms");
    }
    let mut out: Vec<(String, u32)> = Vec::with_capacity(n);
    let mut prev = String::new();
    for _ in 0..n {
        let t = read_front_coded(&mut c, &prev)?;
        let df = c.varint()? as u32;
        prev = t.clone();
        out.push((t, df));
    }
    Ok(out)
}

/// Encodes a sorted document set as a delta list or a bitmap, whichever is smaller.
pub fn encode_docset(docs: &[u32], n_docs: u32) -> Vec<u8> {
    let mut list = Vec::new();
    list.extend_from_slice(LIST_MAGIC);
    put_varint(&mut list, docs.len() as u64);
    let mut last = 0;
    for (i, &d) in docs.iter().enumerate() {
        put_varint(&mut list, if i == 0 { d } else { d - last } as u64);
        last = d;
    }
    let bitmap_len = 4 + (n_docs as usize).div_ceil(8);
    if list.len() <= bitmap_len {
        return list;
    }
    let mut out = Vec::with_capacity(bitmap_len);
    out.extend_from_slice(BITMAP_MAGIC);
    out.resize(bitmap_len, 0);
    for &d in docs {
        out[4 + (d / 8) as usize] |= 1 << (d % 8);
    }
    out
}

/// Decodes a document set as a sorted list.
#[inline(never)]
pub fn decode_docset(bytes: &[u8]) -> Result<Vec<u32>, FormatError> {
    let mut c = Cursor::new(bytes);
    let magic = c.bytes(4)?;
    if magic == BITMAP_MAGIC {
        let mut out = Vec::new();
        for (i, &b) in bytes[4..].iter().enumerate() {
            for bit in 0..8 {
                if b & (1 << bit) != 0 {
                    out.push((i * 8 + bit) as u32);
                }
            }
        }
        return Ok(out);
    }
    if magic != LIST_MAGIC {
        return err("bad magic");
    }
    let n = c.varint()? as usize;
    if n > bytes.len() {
        return err("too many documents");
    }
    let mut out = Vec::with_capacity(n);
    let mut doc: u64 = 0;
    for i in 0..n {
        let d = c.varint()?;
        doc = if i == 0 { d } else { doc.saturating_add(d) };
        if doc > u32::MAX as u64 {
            return err("doc overflow");
        }
        out.push(doc as u32);
    }
    Ok(out)
}

/// One shard named in the root: the first term it holds and its file.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardRef {
    pub first: String,
    pub file: String,
}

/// One vocabulary bucket: every term starting with `prefix` (longest matching prefix wins).
#[derive(Debug, Clone, PartialEq)]
pub struct VocabRef {
    pub prefix: String,
    pub file: String,
}

/// One filter value and its document set.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterRef {
    pub key: String,
    pub value: String,
    pub count: u32,
    pub file: String,
}

/// The root file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Root {
    pub docs: u32,
    /// Changes with every export that changes any file; appended to record URLs for caching.
    pub build: String,
    /// Decoded impact = (byte / 255)^2 * scale / 1000.
    pub scale_milli: u64,
    /// Terms with more documents than this kept only their best `cap` postings.
    pub cap: u32,
    pub shards: Vec<ShardRef>,
    pub vocab: Vec<VocabRef>,
    pub filters: Vec<FilterRef>,
}

/// Where the `i`th shard (`kind` "s"), vocabulary bucket ("v") or filter ("f") is when the root
/// does not name its file.
pub fn implied_file(kind: &str, i: usize) -> String {
    // Without `format!`: the root names hundreds of files, decoded on a browser's cold path.
    let mut digits = [0u8; 20];
    let mut n = i;
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut s = String::with_capacity(kind.len() + 5 + digits.len() - at);
    s.push_str(kind);
    s.push('/');
    s.extend(digits[at..].iter().map(|&d| d as char));
    s.push_str(".bin");
    s
}

/// The index of the first `b` in `bytes` at or after `from`, or `bytes.len()`.
#[inline(never)]
fn find_byte(bytes: &[u8], from: usize, b: u8) -> usize {
    let mut i = from;
    while i < bytes.len() && bytes[i] != b {
        i += 1;
    }
    i
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() || c == '\t' { ' ' } else { c })
        .collect()
}

impl Root {
    pub fn encode(&self) -> String {
        let mut s = String::new();
        s.push_str(ROOT_MAGIC);
        s.push('\n');
        s.push_str(&format!(
            "docs\t{}\nbuild\t{}\nscale\t{}\ncap\t{}\n",
            self.docs,
            clean(&self.build),
            self.scale_milli,
            self.cap
        ));
        // A file at its implied place (`s/<i>.bin`...) is not named: most of the root's bytes
        // would be file names.
        let named = |file: &str, kind: &str, i: usize| {
            if file == implied_file(kind, i) {
                String::new()
            } else {
                format!("\t{}", clean(file))
            }
        };
        for (i, sh) in self.shards.iter().enumerate() {
            s.push_str(&format!(
                "s\t{}{}\n",
                clean(&sh.first),
                named(&sh.file, "s", i)
            ));
        }
        for (i, v) in self.vocab.iter().enumerate() {
            s.push_str(&format!(
                "v\t{}{}\n",
                clean(&v.prefix),
                named(&v.file, "v", i)
            ));
        }
        for (i, f) in self.filters.iter().enumerate() {
            s.push_str(&format!(
                "f\t{}\t{}\t{}{}\n",
                clean(&f.key),
                clean(&f.value),
                f.count,
                named(&f.file, "f", i)
            ));
        }
        s
    }

    #[inline(never)]
    pub fn decode(bytes: &[u8]) -> Result<Root, FormatError> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return err("root is not UTF-8");
        };
        // Lines split by hand, each parsed by a function of its own: a browser's baseline
        // WebAssembly code charges a loop by the size of its body, and a big one gets compiled
        // again by the optimizing compiler on the cold path (see `engine`).
        let mut at = 0;
        let mut first = true;
        let mut r = Root::default();
        while at < text.len() {
            let end = find_byte(text.as_bytes(), at, b'\n');
            // `\n` is ASCII: both ends are character boundaries.
            let line = &text[at..end];
            let line = line.strip_suffix('\r').unwrap_or(line);
            at = end + 1;
            if first {
                if line != ROOT_MAGIC {
                    return err("not a hisper web index root (or an unknown version)");
                }
                first = false;
            } else {
                r.line(line)?;
            }
        }
        if first {
            return err("not a hisper web index root (or an unknown version)");
        }
        if r.docs > MAX_DOCS {
            return err("too many documents");
        }
        if r.shards.windows(2).any(|w| w[0].first >= w[1].first) {
            return err("shards out of order");
        }
        Ok(r)
    }

    /// Reads one line of the root after the first.
    #[inline(never)]
    fn line(&mut self, line: &str) -> Result<(), FormatError> {
        // Up to six tab-separated fields, without allocating (a longer line is an error).
        let mut f = [""; 6];
        let mut len = 0;
        let mut at = 0;
        loop {
            let end = find_byte(line.as_bytes(), at, b'\t');
            if len == f.len() {
                return err(format!("unknown root line: {line}"));
            }
            // `\t` is ASCII: both ends are character boundaries.
            f[len] = &line[at..end];
            len += 1;
            if end == line.len() {
                break;
            }
            at = end + 1;
        }
        let f = &f[..len];
        let num = |i: usize| -> Result<u64, FormatError> {
            f.get(i)
                .and_then(|x| x.parse().ok())
                .ok_or_else(|| FormatError(format!("bad number in root line: {line}")))
        };
        let r = self;
        match (f[0], f.len()) {
            ("docs", 2) => r.docs = num(1)? as u32,
            ("build", 2) => r.build = f[1].to_string(),
            ("scale", 2) => r.scale_milli = num(1)?,
            ("cap", 2) => r.cap = num(1)? as u32,
            ("s", 2 | 3) => r.shards.push(ShardRef {
                first: f[1].into(),
                file: f
                    .get(2)
                    .map_or_else(|| implied_file("s", r.shards.len()), |x| x.to_string()),
            }),
            ("v", 2 | 3) => r.vocab.push(VocabRef {
                prefix: f[1].into(),
                file: f
                    .get(2)
                    .map_or_else(|| implied_file("v", r.vocab.len()), |x| x.to_string()),
            }),
            ("f", 4 | 5) => r.filters.push(FilterRef {
                key: f[1].into(),
                value: f[2].into(),
                count: num(3)? as u32,
                file: f
                    .get(4)
                    .map_or_else(|| implied_file("f", r.filters.len()), |x| x.to_string()),
            }),
            ("", _) => {}
            _ => return err(format!("unknown root line: {line}")),
        }
        Ok(())
    }

    /// The shard that may hold `term`.
    pub fn shard_for(&self, term: &str) -> Option<usize> {
        let i = self.shards.partition_point(|s| s.first.as_str() <= term);
        i.checked_sub(1).or(if self.shards.is_empty() {
            None
        } else {
            Some(0)
        })
    }

    /// The shards that may hold terms starting with `prefix`.
    pub fn shards_for_prefix(&self, prefix: &str) -> std::ops::Range<usize> {
        let Some(lo) = self.shard_for(prefix) else {
            return 0..0;
        };
        let mut hi = lo + 1;
        while hi < self.shards.len() && self.shards[hi].first.starts_with(prefix) {
            hi += 1;
        }
        lo..hi
    }

    /// The vocabulary bucket for `term`: the longest bucket prefix that `term` starts with.
    pub fn vocab_for(&self, term: &str) -> Option<usize> {
        self.vocab
            .iter()
            .enumerate()
            .filter(|(_, v)| term.starts_with(v.prefix.as_str()))
            .max_by_key(|(_, v)| v.prefix.len())
            .map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_round_trip() {
        let terms = vec![
            TermEntry {
                term: "postgre".into(),
                df: 3,
                postings: vec![(0, 10), (7, 255), (300_000, 1)],
            },
            TermEntry {
                term: "postgresql".into(),
                df: 1,
                postings: vec![(5, 99)],
            },
            TermEntry {
                term: "überwachung".into(),
                df: 1,
                postings: vec![(2, 3)],
            },
        ];
        let bytes = encode_shard(&terms);
        let s = Shard::decode(&bytes).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s.term(2), "überwachung");
        let i = s.find("postgre").unwrap();
        assert_eq!(s.postings(i).unwrap(), terms[0].postings);
        assert_eq!(s.with_prefix("postg"), 0..2);
        assert_eq!(s.postings(2).unwrap(), vec![(2, 3)]);
        assert_eq!(s.find("postgres"), None);
    }

    #[test]
    fn each_term_must_be_utf8_on_its_own() {
        // "a\xC3" then "\xA9b": together "aéb", valid UTF-8, but each term alone is not.
        let mut b = SHARD_MAGIC.to_vec();
        b.push(2);
        for term in [&b"a\xC3"[..], &b"\xA9b"[..]] {
            b.extend_from_slice(&[0, term.len() as u8]);
            b.extend_from_slice(term);
            b.extend_from_slice(&[1, 0, 0]);
        }
        assert_eq!(
            Shard::decode(&b).unwrap_err().to_string(),
            "corrupt browser index: term is not UTF-8"
        );
        // The same shape with valid terms decodes.
        let mut ok = SHARD_MAGIC.to_vec();
        ok.push(2);
        for term in ["aé", "é"] {
            ok.extend_from_slice(&[0, term.len() as u8]);
            ok.extend_from_slice(term.as_bytes());
            ok.extend_from_slice(&[1, 0, 0]);
        }
        let s = Shard::decode(&ok).unwrap();
        assert_eq!((s.term(0), s.term(1)), ("aé", "é"));
    }

    #[test]
    fn a_shard_cannot_expand_far_beyond_its_size() {
        // One 2,000-byte term, then terms repeating it with one more byte each: ~2 MB of text
        // described by ~6 KB.
        let long = "a".repeat(2000);
        let mut terms: Vec<TermEntry> = (0..1000u32)
            .map(|i| TermEntry {
                term: format!("{long}{}", char::from_u32(0x4e00 + i).unwrap()),
                df: 1,
                postings: vec![(0, 1)],
            })
            .collect();
        terms.sort_by(|a, b| a.term.cmp(&b.term));
        let bytes = encode_shard(&terms);
        assert!(bytes.len() < 16_000, "{}", bytes.len());
        assert!(Shard::decode(&bytes).is_err());
        // A few long terms are fine.
        let ok = encode_shard(&terms[..20]);
        assert_eq!(Shard::decode(&ok).unwrap().len(), 20);
    }

    #[test]
    fn implied_files_are_numbered_paths() {
        assert_eq!(implied_file("s", 0), "s/0.bin");
        assert_eq!(implied_file("v", 7), "v/7.bin");
        assert_eq!(implied_file("f", 1_234_567), "f/1234567.bin");
        assert_eq!(
            implied_file("s", usize::MAX),
            format!("s/{}.bin", usize::MAX)
        );
    }

    #[test]
    fn docsets_pick_the_smaller_form() {
        let sparse = vec![3, 90, 1000];
        let b = encode_docset(&sparse, 100_000);
        assert_eq!(&b[..4], LIST_MAGIC);
        assert_eq!(decode_docset(&b).unwrap(), sparse);
        let dense: Vec<u32> = (0..1000).filter(|d| d % 3 != 0).collect();
        let b = encode_docset(&dense, 1000);
        assert_eq!(&b[..4], BITMAP_MAGIC);
        assert_eq!(decode_docset(&b).unwrap(), dense);
    }

    #[test]
    fn implied_file_names_are_left_out_of_the_root() {
        let r = Root {
            docs: 3,
            build: "b1".into(),
            scale_milli: 1,
            cap: 2,
            shards: vec![
                ShardRef {
                    first: String::new(),
                    file: implied_file("s", 0),
                },
                ShardRef {
                    first: "m".into(),
                    file: "s/custom.bin".into(),
                },
            ],
            vocab: vec![VocabRef {
                prefix: "g".into(),
                file: implied_file("v", 0),
            }],
            filters: vec![FilterRef {
                key: "source".into(),
                value: "npm".into(),
                count: 2,
                file: implied_file("f", 0),
            }],
        };
        let text = r.encode();
        assert!(
            !text.contains("s/0.bin") && !text.contains("v/0.bin") && !text.contains("f/0.bin")
        );
        assert!(text.contains("s\tm\ts/custom.bin\n"), "{text}");
        assert_eq!(Root::decode(text.as_bytes()).unwrap(), r);
    }

    #[test]
    fn root_round_trip_and_lookup() {
        let r = Root {
            docs: 10,
            build: "abc".into(),
            scale_milli: 12_500,
            cap: 4000,
            shards: vec![
                ShardRef {
                    first: "".into(),
                    file: "s/1.bin".into(),
                },
                ShardRef {
                    first: "git".into(),
                    file: "s/2.bin".into(),
                },
                ShardRef {
                    first: "github".into(),
                    file: "s/3.bin".into(),
                },
                ShardRef {
                    first: "p".into(),
                    file: "s/4.bin".into(),
                },
            ],
            vocab: vec![VocabRef {
                prefix: "g".into(),
                file: "v/1.bin".into(),
            }],
            filters: vec![FilterRef {
                key: "source".into(),
                value: "npm".into(),
                count: 3,
                file: "f/1.bin".into(),
            }],
        };
        let back = Root::decode(r.encode().as_bytes()).unwrap();
        assert_eq!(back, r);
        assert_eq!(r.shard_for("abc"), Some(0));
        assert_eq!(r.shard_for("gitlab"), Some(2));
        assert_eq!(r.shard_for("gis"), Some(0));
        assert_eq!(r.shards_for_prefix("git"), 1..3);
        assert_eq!(r.vocab_for("gitlab"), Some(0));
        assert_eq!(r.vocab_for("xyz"), None);
    }

    #[test]
    fn corrupt_input_is_an_error_not_a_panic() {
        let bytes = encode_shard(&[TermEntry {
            term: "abc".into(),
            df: 2,
            postings: vec![(1, 2), (5, 6)],
        }]);
        for cut in 0..bytes.len() {
            let _ = Shard::decode(&bytes[..cut]).map(|s| s.postings(0));
        }
        assert!(Root::decode(b"nope").is_err());
        assert!(decode_vocab(&[0xff; 3]).is_err());
        assert!(decode_docset(b"HSL1\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff").is_err());
    }
}
