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

/// "provide a database URL as a command-line argument": a positional value, named in words.
fn positional_phrase() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)\b(?:provide|pass|give|specify|supply)\s+(?:a|an|the)\s+([a-z][a-z0-9 _-]{1,40}?)\s+(?:as|via)\s+(?:a |an |the )?(?:command[- ]line |positional |cli )?(?:argument|arg)\b")
            .expect("valid regex")
    })
}

/// `<evals-path>` on a usage line: a required positional value.
fn usage_value() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"<([a-zA-Z][a-zA-Z0-9_-]{1,40})>").expect("valid regex"))
}

/// Whether the text looks like a complaint about missing configuration.
pub fn config_signal(text: &str) -> bool {
    signal().is_match(text)
}

/// Env var names (`FOO_API_KEY`), required flags (`--token`) and positional values (`<database
/// url>`, written in angle brackets) named on lines that complain about configuration, in order
/// of appearance, deduplicated.
pub fn names_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines().filter(|l| signal().is_match(l)) {
        for c in positional_phrase().captures_iter(line) {
            let n = format!("<{}>", c[1].trim().to_lowercase());
            if !out.contains(&n) {
                out.push(n);
            }
        }
        if line.to_ascii_lowercase().contains("usage:") {
            // The program's own name comes first; the values after it are required.
            let rest = line.split_once(':').map(|x| x.1).unwrap_or(line);
            // Up to the first option or optional part.
            let flags_from = [rest.find(" -"), rest.find('[')]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(rest.len());
            for c in usage_value().captures_iter(&rest[..flags_from]) {
                let n = format!("<{}>", &c[1]);
                if !out.contains(&n) {
                    out.push(n);
                }
            }
        }
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

    #[test]
    fn finds_positional_values_asked_for_in_words_or_usage() {
        assert_eq!(
            names_in("Please provide a database URL as a command-line argument"),
            vec!["<database url>"]
        );
        assert_eq!(
            names_in("Please provide a path to your evals file\nUsage: npx mcp-eval <evals-path> <server-path> [--debug <level>]"),
            vec!["<evals-path>", "<server-path>"]
        );
        assert!(names_in("Listening on <stdio>").is_empty());
    }
}
