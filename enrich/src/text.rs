//! Text helpers shared by the classifier, the tool-safety rules and similarity: a tokenizer that
//! splits `camelCase`, `snake_case` and `kebab-case`, a tiny plural stemmer and a stopword list.
//!
//! It does no language detection and no real stemming: the rules are deliberately simple so that
//! the same input always gives the same tokens and so that term lists can be written by hand.

/// Longest text, in bytes, any helper looks at: a 1 MB description costs no more than this.
pub const TEXT_CAP: usize = 16 * 1024;

/// Words too common in MCP descriptions to mean anything for classification or similarity.
pub const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "access",
    "ai",
    "all",
    "allow",
    "allows",
    "an",
    "and",
    "any",
    "are",
    "as",
    "assistant",
    "at",
    "based",
    "be",
    "by",
    "can",
    "claude",
    "client",
    "context",
    "cursor",
    "enable",
    "enables",
    "for",
    "from",
    "get",
    "has",
    "help",
    "helps",
    "how",
    "in",
    "integrate",
    "integration",
    "into",
    "is",
    "it",
    "its",
    "llm",
    "lets",
    "make",
    "mcp",
    "model",
    "more",
    "new",
    "not",
    "of",
    "on",
    "or",
    "other",
    "over",
    "powered",
    "protocol",
    "provide",
    "provides",
    "server",
    "simple",
    "so",
    "support",
    "supports",
    "that",
    "the",
    "their",
    "them",
    "these",
    "this",
    "through",
    "to",
    "tool",
    "use",
    "used",
    "uses",
    "using",
    "via",
    "was",
    "way",
    "what",
    "when",
    "which",
    "will",
    "with",
    "without",
    "you",
    "your",
    "agent",
    "agents",
    "description",
    "here",
    "add",
    "py",
    "python",
    "js",
    "node",
    "npm",
    "pypi",
    "package",
    "library",
    "sdk",
    "implementation",
    "official",
    "interact",
    "interacting",
    "interaction",
    "providing",
    "built",
    "enabling",
    "capability",
    "capabilities",
    "seamless",
    "seamlessly",
    "powerful",
    "comprehensive",
    "various",
    "feature",
    "features",
    "like",
    "also",
    "such",
    "etc",
    "easy",
    "easily",
    "fast",
    "local",
    "remote",
    "service",
    "services",
    "data",
    "api",
    "apis",
    "tools",
    "work",
    "working",
    "allowing",
    "directly",
    "real",
];

/// Whether `w` (already lowercased) is a stopword.
pub fn is_stopword(w: &str) -> bool {
    STOPWORDS.contains(&w)
}

/// Cuts `s` to [`TEXT_CAP`] bytes on a char boundary.
pub fn capped(s: &str) -> &str {
    if s.len() <= TEXT_CAP {
        return s;
    }
    let mut end = TEXT_CAP;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Lowercase word tokens of `s`: splits on anything not alphanumeric and on lower→upper case
/// changes (`listTables` → `list`, `tables`), then stems plurals. Looks at most [`TEXT_CAP`] bytes.
pub fn tokens(s: &str) -> Vec<String> {
    tokenize(s, true)
}

/// Like [`tokens`], but case changes do not split words (`ClickHouse` stays `clickhouse`): for
/// similarity, where `click` and `house` would link unrelated records.
pub fn words(s: &str) -> Vec<String> {
    tokenize(s, false)
}

fn tokenize(s: &str, split_case: bool) -> Vec<String> {
    let s = capped(s);
    let mut out = Vec::new();
    let mut cur = String::new();
    // The whole alphanumeric run, kept when case changes split it (`DuckDB` → `duck`, `db`,
    // `duckdb`), so brand names match either way.
    let mut whole = String::new();
    let mut split = false;
    let mut prev_lower = false;
    let flush = |cur: &mut String, whole: &mut String, split: &mut bool, out: &mut Vec<String>| {
        if !cur.is_empty() {
            out.push(stem(&std::mem::take(cur)));
        }
        if *split && !whole.is_empty() {
            out.push(stem(whole));
        }
        whole.clear();
        *split = false;
    };
    for c in s.chars() {
        if c.is_alphanumeric() {
            if split_case && c.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(stem(&std::mem::take(&mut cur)));
                split = true;
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            cur.extend(c.to_lowercase());
            whole.extend(c.to_lowercase());
        } else {
            flush(&mut cur, &mut whole, &mut split, &mut out);
            prev_lower = false;
        }
    }
    flush(&mut cur, &mut whole, &mut split, &mut out);
    out
}

/// Words whose trailing `s` is not a plural.
const NOT_PLURAL: &[&str] = &[
    "aws",
    "news",
    "kubernetes",
    "postgres",
    "status",
    "https",
    "analytics",
    "always",
    "express",
    "sass",
    "less",
    "windows",
    "ios",
    "macos",
    "mcps",
    "maps",
    "sms",
    "dns",
    "js",
    "ts",
    "cms",
    "vercel",
    "redis",
    "jupyter",
    "this",
    "has",
    "was",
    "is",
    "as",
    "does",
    "its",
    "us",
    "gas",
    "canvas",
    "nodejs",
    "nextjs",
    "series",
    "species",
    "tools",
];

/// Strips a plural `s`/`es`/`ies` from words longer than three letters (`tables` → `table`,
/// `queries` → `query`), except words in a short list where the `s` belongs (`postgres`, `news`).
pub fn stem(w: &str) -> String {
    if w.len() <= 3 || !w.is_ascii() || NOT_PLURAL.contains(&w) {
        return w.to_string();
    }
    if let Some(base) = w.strip_suffix("ies") {
        if base.len() >= 2 {
            return format!("{base}y");
        }
    }
    for keep in ["ss", "us", "is", "os"] {
        if w.ends_with(keep) {
            return w.to_string();
        }
    }
    if let Some(base) = w.strip_suffix("sses") {
        return format!("{base}ss");
    }
    if let Some(base) = w.strip_suffix("xes") {
        return format!("{base}x");
    }
    if let Some(base) = w.strip_suffix("ches") {
        return format!("{base}ch");
    }
    if let Some(base) = w.strip_suffix('s') {
        return base.to_string();
    }
    w.to_string()
}

/// The tokens of `s` plus every run of two and three adjacent tokens joined by spaces
/// (`"web search"`, `"text to speech"`), deduplicated.
pub fn terms(s: &str) -> std::collections::BTreeSet<String> {
    terms_of(&tokens(s))
}

/// Drops the words every MCP description carries ("Model Context Protocol"), which would
/// otherwise read as "model" to a classifier.
pub fn strip_boilerplate(toks: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if toks[i] == "modelcontextprotocol" {
            i += 1;
            continue;
        }
        if toks[i] == "model"
            && toks.get(i + 1).is_some_and(|t| t == "context")
            && toks.get(i + 2).is_some_and(|t| t == "protocol")
        {
            i += 3;
            continue;
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

/// [`terms`] of an already tokenized text.
pub fn terms_of(toks: &[String]) -> std::collections::BTreeSet<String> {
    let mut out: std::collections::BTreeSet<String> = toks.iter().cloned().collect();
    for w in toks.windows(2) {
        out.insert(format!("{} {}", w[0], w[1]));
    }
    for w in toks.windows(3) {
        out.insert(format!("{} {} {}", w[0], w[1], w[2]));
    }
    out
}

/// Levenshtein distance with a cut-off: returns `max + 1` as soon as the distance exceeds `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            // Transposition (Damerau, optimal string alignment) needs the row before `prev`;
            // a swapped pair costs 2 here, which the callers accept.
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(max + 1)
}

/// Rounds to two decimals, so stored numbers are short and byte-stable.
pub fn round2(x: f64) -> f64 {
    if x.is_finite() {
        (x * 100.0).round() / 100.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_cases_and_stems() {
        assert_eq!(
            tokens("listTables read_file Web-Search queries"),
            vec![
                "list",
                "table",
                "listtable",
                "read",
                "file",
                "web",
                "search",
                "query"
            ]
        );
        assert_eq!(tokens("DuckDB"), vec!["duck", "db", "duckdb"]);
        assert_eq!(stem("postgres"), "postgres");
        assert_eq!(stem("addresses"), "address");
        assert_eq!(stem("news"), "news");
        assert!(terms("web search engine").contains("web search"));
    }

    #[test]
    fn edit_distance_cuts_off() {
        assert_eq!(edit_distance("mcp-server-git", "mcp-server-git", 2), 0);
        assert_eq!(edit_distance("mcp-server-git", "mcp-server-gti", 2), 2);
        assert_eq!(edit_distance("kitten", "sitting", 5), 3);
        assert_eq!(edit_distance("a", "abcdef", 2), 3);
    }

    #[test]
    fn huge_text_is_capped() {
        let big = "é".repeat(1 << 20);
        assert!(capped(&big).len() <= TEXT_CAP);
        assert!(tokens(&big).len() <= 1);
    }
}
