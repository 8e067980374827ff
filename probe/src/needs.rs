//! Required configuration: recognising "I need an API key" in a server's error output, and
//! pulling the variable or argument names out of it.
//!
//! Heuristics over text only; declared configuration comes from the dataset (see `install`).

use std::sync::OnceLock;

use regex::Regex;

fn signal() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)(api[_ -]?key|access[_ -]?token|\btoken\b|secret|credential|is required|are required|required (env|environment|argument|option|config|command|parameter)|missing (env|environment|required|argument|api|config)|must be set|must be provided|not provided|please provide|not set|environment variable|config file|oauth|usage:|--help)")
            .expect("valid regex")
    })
}

fn env_name() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b").expect("valid regex"))
}

fn flag_name() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"(?:^|\s)(--[a-z][a-z0-9-]{1,40})\b").expect("valid regex"))
}

/// Whether the text looks like a complaint about missing configuration.
pub fn config_signal(text: &str) -> bool {
    signal().is_match(text)
}

/// Env var names (`FOO_API_KEY`) and required flags (`--token`) named on lines that complain
/// about configuration, in order of appearance, deduplicated.
pub fn names_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().filter(|l| signal().is_match(l)) {
        for m in env_name().find_iter(line) {
            let n = m.as_str().to_string();
            if !out.contains(&n) && n.len() <= 64 {
                out.push(n);
            }
        }
        let lower = line.to_ascii_lowercase();
        if lower.contains("required") || lower.contains("missing") {
            for c in flag_name().captures_iter(line) {
                let n = c[1].to_string();
                if n != "--help" && !out.contains(&n) {
                    out.push(n);
                }
            }
        }
        if out.len() >= 16 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_on_complaint_lines_only() {
        let t = "Starting SERVER_MAIN v1\nError: GITHUB_PERSONAL_ACCESS_TOKEN environment variable is required\nmissing required argument --workspace-dir";
        assert!(config_signal(t));
        assert_eq!(
            names_in(t),
            vec!["GITHUB_PERSONAL_ACCESS_TOKEN", "--workspace-dir"]
        );
        assert!(!config_signal("Listening on stdio"));
    }
}
