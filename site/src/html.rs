//! The site's one HTML escaper, used by every template (askama calls it for each `{{ }}`, see
//! `site/askama.toml`) and by the few strings built in Rust that end up in a page or a feed.
//!
//! It escapes `&`, `<`, `>` and `"`: enough for text and for double-quoted attribute values,
//! which are the only attribute values the templates write (a test in this module reads every
//! template to hold them to it). Leaving `'` as it is keeps shell snippets readable
//! (`-e 'KEY=<KEY>'`). It does not sanitize markup: README HTML goes through
//! [`crate::markdown`] instead.

use std::fmt;

/// The escaper askama uses for `.html` and `.svg` templates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, s: &str) -> fmt::Result {
        let mut last = 0;
        for (i, b) in s.bytes().enumerate() {
            let rep = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => continue,
            };
            dest.write_str(&s[last..i])?;
            dest.write_str(rep)?;
            last = i + 1;
        }
        dest.write_str(&s[last..])
    }
}

/// `s` escaped for HTML text or a double-quoted attribute value.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    askama::filters::Escaper::write_escaped_str(&Html, &mut out, s)
        .expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_double_quotes() {
        assert_eq!(
            esc("a&b<c>d\"e'f ✓"),
            "a&amp;b&lt;c&gt;d&quot;e'f ✓".to_string()
        );
        assert_eq!(esc("plain"), "plain");
    }

    /// The escaper leaves `'` alone, so no template may quote an attribute value with it.
    #[test]
    fn templates_quote_attributes_with_double_quotes_only() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates");
        let re = regex::Regex::new(r#"<[a-zA-Z][^>]*\s[a-zA-Z:-]+\s*=\s*'"#).unwrap();
        let unquoted = regex::Regex::new(r#"<[a-zA-Z][^>]*\s[a-zA-Z:-]+=\{\{"#).unwrap();
        let mut checked = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "html") {
                let text = std::fs::read_to_string(&p).unwrap();
                assert!(
                    !re.is_match(&text),
                    "{}: single-quoted attribute",
                    p.display()
                );
                assert!(
                    !unquoted.is_match(&text),
                    "{}: unquoted attribute value",
                    p.display()
                );
                checked += 1;
            }
        }
        assert!(
            checked >= 8,
            "only {checked} templates found in {}",
            dir.display()
        );
    }
}
