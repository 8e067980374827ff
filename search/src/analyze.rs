//! Text analysis shared by the tantivy index, the browser index and the query side.
//!
//! One function, [`tokens`], turns any text (a package name, a tool name, a README) into the terms
//! that are indexed and searched: runs of letters and digits, lowercased, with identifiers split on
//! `-`, `_`, `/`, `@`, `.` and camelCase (the whole camelCase word is kept too), a short English
//! stop list removed, and a minimal English plural stemmer applied. It never allocates
//! more than the input's size in terms, never panics, and ignores emoji and punctuation. It does
//! not know about fields or scores.

/// Longest term kept, in bytes; longer runs are cut (on a char boundary).
pub const MAX_TERM: usize = 40;
/// Most terms taken from one text (a 10 KB query or a huge README stays bounded).
pub const MAX_TERMS: usize = 4096;

const STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "i", "in", "into", "is", "it",
    "its", "me", "my", "of", "on", "or", "that", "the", "this", "to", "with", "you", "your",
];

/// Whether `t` (already lowercased) is a stop word.
pub fn is_stop(t: &str) -> bool {
    STOP.binary_search(&t).is_ok()
}

/// The analyzed terms of `text`, in order, duplicates kept (term frequency matters).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t| out.push(t));
    out
}

/// Calls `f` with every analyzed term of `text`, in order.
pub fn for_each_token(text: &str, mut f: impl FnMut(String)) {
    let mut count = 0usize;
    let mut start: Option<usize> = None;
    let mut run = |w: &str, count: &mut usize| {
        emit(w, count, &mut f);
        let parts = camel_parts(w);
        if parts.len() > 1 {
            for p in parts {
                emit(p, count, &mut f);
            }
        }
    };
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            run(&text[s..i], &mut count);
        }
        if count >= MAX_TERMS {
            return;
        }
    }
    if let Some(s) = start {
        run(&text[s..], &mut count);
    }
}

fn emit(raw: &str, count: &mut usize, f: &mut impl FnMut(String)) {
    if *count >= MAX_TERMS {
        return;
    }
    let lower = lower(raw);
    if is_stop(&lower) {
        return;
    }
    let mut term = stem(&lower);
    cut(&mut term, MAX_TERM);
    // Single letters carry nothing; single digits do.
    if term.is_empty() || (term.chars().count() == 1 && !term.chars().all(|c| c.is_ascii_digit())) {
        return;
    }
    *count += 1;
    f(term);
}

/// Lowercases `s` with [`lower_char`].
pub fn lower(s: &str) -> String {
    s.chars().map(lower_char).collect()
}

/// The lowercase of `c` in the scripts where names and descriptions have case: ASCII, Latin-1,
/// Latin Extended-A and Additional, Greek, Cyrillic, Armenian and fullwidth Latin (the same as
/// `char::to_lowercase` there); any other character is returned unchanged. Not std's full
/// Unicode mapping on purpose: its tables would be a fifth of the wasm module, and indexing and
/// querying share this function, so they always agree.
pub fn lower_char(c: char) -> char {
    let u = c as u32;
    let pair_even = |lo: u32, hi: u32| (lo..=hi).contains(&u) && u % 2 == 0;
    let pair_odd = |lo: u32, hi: u32| (lo..=hi).contains(&u) && u % 2 == 1;
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    // Upper and lower case side by side: the capital is the even (or odd) one of each pair.
    let pairs = pair_even(0x100, 0x137)
        || pair_odd(0x139, 0x148)
        || pair_even(0x14A, 0x177)
        || pair_odd(0x179, 0x17E)
        || pair_even(0x460, 0x481)
        || pair_even(0x48A, 0x4BF)
        || pair_odd(0x4C1, 0x4CE)
        || pair_even(0x4D0, 0x52F)
        || pair_even(0x1E00, 0x1E95)
        || pair_even(0x1EA0, 0x1EFF);
    let to = match u {
        0x130 => 0x69,
        _ if pairs => u + 1,
        0xC0..=0xDE if u != 0xD7 => u + 32,
        0x178 => 0xFF,
        0x386 => 0x3AC,
        0x388..=0x38A => u + 37,
        0x38C => 0x3CC,
        0x38E..=0x38F => u + 63,
        0x391..=0x3AB if u != 0x3A2 => u + 32,
        0x400..=0x40F => u + 80,
        0x410..=0x42F => u + 32,
        0x4C0 => 0x4CF,
        0x531..=0x556 => u + 48,
        0x1E9E => 0xDF,
        0xFF21..=0xFF3A => u + 32,
        _ => u,
    };
    char::from_u32(to).unwrap_or(c)
}

fn is_upper(c: char) -> bool {
    lower_char(c) != c
}

fn is_lower(c: char) -> bool {
    c.is_alphabetic() && !is_upper(c)
}

/// Splits `GitHubServer` into `Git`, `Hub`, `Server` and `HTTPClient` into `HTTP`, `Client`.
fn camel_parts(w: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = w.char_indices().collect();
    let mut parts = Vec::new();
    let mut start = 0usize;
    for k in 1..chars.len() {
        let (i, c) = chars[k];
        let prev = chars[k - 1].1;
        let next = chars.get(k + 1).map(|x| x.1);
        let boundary = (is_lower(prev) && is_upper(c))
            || (is_upper(prev) && is_upper(c) && next.is_some_and(is_lower));
        if boundary {
            parts.push(&w[start..i]);
            start = i;
        }
    }
    parts.push(&w[start..]);
    parts
}

fn cut(s: &mut String, cap: usize) {
    if s.len() > cap {
        let mut end = cap;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// A minimal English stemmer (plurals, after Lucene's EnglishMinimalStemmer). Conservative on
/// purpose: names like `postgres` or `kubernetes` must stay recognisable
/// to typo matching.
pub fn stem(w: &str) -> String {
    let b = w.as_bytes();
    let n = b.len();
    if !b.iter().all(|c| c.is_ascii_lowercase()) || n < 4 {
        return w.to_string();
    }
    if b[n - 1] != b's' {
        return w.to_string();
    }
    match b[n - 2] {
        b'u' | b's' => w.to_string(),
        b'e' => {
            if n > 4 && b[n - 3] == b'i' && b[n - 4] != b'a' && b[n - 4] != b'e' {
                let mut s = w[..n - 3].to_string();
                s.push('y');
                return s;
            }
            if matches!(b[n - 3], b'i' | b'a' | b'o' | b'e') {
                return w.to_string();
            }
            w[..n - 1].to_string()
        }
        _ => w[..n - 1].to_string(),
    }
}

/// The whole-name key of a text: `_` + its analyzed terms run together, or None when shorter than
/// 3 characters. Indexed for every server's name; looked up for the whole query, so an exact (or,
/// as a prefix, a started) name earns a bonus. `_` never starts an ordinary term.
pub fn name_key(text: &str) -> Option<String> {
    let joined: String = tokens(text).concat();
    (joined.chars().count() >= 3).then(|| format!("_{joined}"))
}

/// Maximum edit distance allowed for a query word of `len` characters.
pub fn max_edits(len: usize) -> usize {
    if len >= 8 {
        2
    } else if len >= 4 {
        1
    } else {
        0
    }
}

/// Edit distance between `a` and `b` (Levenshtein with adjacent transpositions counting as one
/// edit, "optimal string alignment") if it is at most `max`, else `None`.
#[inline(never)]
pub fn within(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    // Three rows: i-2, i-1, i.
    let mut rows = vec![0usize; 3 * w];
    for (j, x) in rows[w..2 * w].iter_mut().enumerate() {
        *x = j;
    }
    for i in 1..=a.len() {
        let (older, rest) = rows.split_at_mut(w);
        let (prev, cur) = rest.split_at_mut(w);
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(older[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        rows.rotate_left(w);
    }
    // After the last rotation the last computed row sits in the middle slot.
    let d = rows[w + b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_split_into_parts() {
        assert_eq!(tokens("server-postgres"), ["server", "postgre"]);
        assert_eq!(tokens("mcp_server_time"), ["mcp", "server", "time"]);
        assert_eq!(
            tokens("@modelcontextprotocol/server-filesystem"),
            ["modelcontextprotocol", "server", "filesystem"]
        );
        assert_eq!(
            tokens("GitHubServer"),
            ["githubserver", "git", "hub", "server"]
        );
        assert_eq!(tokens("HTTPClient"), ["httpclient", "http", "client"]);
    }

    #[test]
    fn prose_is_stemmed_and_stop_words_dropped() {
        assert_eq!(tokens("Send the messages"), ["send", "message"]);
        assert_eq!(tokens("queries databases"), ["query", "database"]);
        assert_eq!(tokens("everything thinking"), ["everything", "thinking"]);
        assert_eq!(tokens("string things"), ["string", "thing"]);
        assert!(tokens("the of and").is_empty());
        assert!(tokens("").is_empty());
    }

    #[test]
    fn lowercase_agrees_with_std_where_it_maps() {
        let mut mapped = 0;
        for u in 0..=0x10FFFFu32 {
            let Some(c) = char::from_u32(u) else {
                continue;
            };
            let ours = lower_char(c);
            let std: Vec<char> = c.to_lowercase().collect();
            if ours != c {
                mapped += 1;
                // Where it maps, it maps as std does (İ: std adds a combining dot).
                assert!(
                    std[0] == ours && (std.len() == 1 || u == 0x130),
                    "{c:?}: {ours:?} vs {std:?}"
                );
            }
            // Every Latin-1, Latin Extended-A, basic Greek and Cyrillic capital std lowercases,
            // this does too.
            let covered = u < 0x180 || (0x386..=0x3AB).contains(&u) || (0x400..=0x52F).contains(&u);
            if covered && std.len() == 1 && std[0] != c {
                assert_eq!(ours, std[0], "{c:?}");
            }
        }
        assert!(mapped > 450, "{mapped}");
        assert_eq!(
            lower("ÜBERWACHUNG Ünïcode ΑΘΗΝΑ МОСКВА"),
            "überwachung ünïcode αθηνα москва"
        );
    }

    #[test]
    fn unicode_and_emoji_do_not_break() {
        assert_eq!(tokens("🚀 Überwachung ✓ café"), ["überwachung", "café"]);
        assert_eq!(tokens("数据库 サーバー"), ["数据库", "サーバー"]);
        let long = "x".repeat(10_000);
        let t = tokens(&long);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].len(), MAX_TERM);
        let many = "ab ".repeat(10_000);
        assert_eq!(tokens(&many).len(), MAX_TERMS);
    }

    #[test]
    fn edit_distance_is_bounded() {
        assert_eq!(within("postgres", "postgress", 1), Some(1));
        assert_eq!(within("githb", "github", 1), Some(1));
        assert_eq!(within("slack", "black", 1), Some(1));
        assert_eq!(within("kubernetes", "kubernete", 2), Some(1));
        assert_eq!(within("abc", "xyz", 2), None);
        assert_eq!(within("", "ab", 2), Some(2));
        assert_eq!(within("rmeote", "remote", 1), Some(1));
        assert_eq!(within("hnadler", "handler", 1), Some(1));
        assert_eq!(within("ab", "ba", 1), Some(1));
        assert_eq!(within("abc", "abc", 0), Some(0));
        assert_eq!(max_edits(3), 0);
        assert_eq!(max_edits(4), 1);
        assert_eq!(max_edits(8), 2);
    }

    #[test]
    fn stop_list_is_sorted() {
        let mut s = STOP.to_vec();
        s.sort();
        assert_eq!(s, STOP);
    }
}
