//! Curated subsets of the dataset: the `--only FILE` of `hisper index`, `build` and `run`, for an
//! organisation that publishes only the servers it approved, as its own site and registry mirror.
//!
//! The file is text, one entry a line, `#` starting a comment:
//!
//! ```text
//! npm:@modelcontextprotocol/server-postgres   # a record id (it has a `:`)
//! io.github.acme/weather                      # a registry name, or a package name with a `/`
//! mcp-remote                                  # a plain name
//! source=npm verified category=databases      # a filter: every term on the line must hold
//! ```
//!
//! A record is selected when any line selects it. Filter terms: `source=github|npm|pypi|mcp-registry`,
//! `category=ID`, `kind=server|sdk|framework|client|other`, `outcome=ok|needs_config|…`, `verified`
//! (outcome ok), `transport=stdio|streamable-http|sse`, `remote` (has a remote endpoint),
//! `has-tools`, `min-downloads=N` (monthly). It selects; it does not rank or rewrite records.

use std::collections::BTreeSet;
use std::path::Path;

use crate::{Dataset, Kind, Outcome, Server, Source};

/// A line of the file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: line {line}: {reason}")]
pub struct SelectError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

/// One filter term.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Source(Source),
    Category(String),
    Kind(Kind),
    Outcome(Outcome),
    /// `verified`: [`Server::verified`], over stdio or a remote endpoint.
    Verified,
    Transport(String),
    Remote,
    HasTools,
    MinDownloads(u64),
}

impl Term {
    fn parse(t: &str) -> Result<Term, String> {
        let (k, v) = match t.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (t, None),
        };
        fn need<'a>(k: &str, v: Option<&'a str>) -> Result<&'a str, String> {
            v.filter(|v| !v.is_empty())
                .ok_or_else(|| format!("`{k}` needs a value (`{k}=…`)"))
        }
        Ok(match k {
            "verified" if v.is_none() => Term::Verified,
            "remote" if v.is_none() => Term::Remote,
            "has-tools" if v.is_none() => Term::HasTools,
            "source" => Term::Source(
                Source::parse(need(k, v)?)
                    .ok_or_else(|| format!("unknown source {:?}", v.unwrap()))?,
            ),
            "category" => Term::Category(need(k, v)?.to_string()),
            "kind" => Term::Kind(match need(k, v)? {
                "server" => Kind::Server,
                "sdk" => Kind::Sdk,
                "framework" => Kind::Framework,
                "client" => Kind::Client,
                "other" => Kind::Other,
                x => return Err(format!("unknown kind {x:?}")),
            }),
            "outcome" => Term::Outcome(
                Outcome::parse(need(k, v)?)
                    .ok_or_else(|| format!("unknown outcome {:?}", v.unwrap()))?,
            ),
            "transport" => Term::Transport(need(k, v)?.to_string()),
            "min-downloads" => Term::MinDownloads(
                need(k, v)?
                    .parse()
                    .map_err(|_| format!("min-downloads {:?} is not a number", v.unwrap()))?,
            ),
            _ => return Err(format!("unknown filter term {t:?}")),
        })
    }

    fn holds(&self, s: &Server) -> bool {
        match self {
            Term::Source(src) => s.has_source(*src),
            Term::Category(c) => s.categories.iter().any(|x| &x.id == c),
            Term::Kind(k) => s.kind == *k,
            Term::Outcome(o) => s.probe.as_ref().is_some_and(|p| p.outcome == *o),
            Term::Verified => s.verified(),
            Term::Transport(t) => {
                s.install.packages.iter().any(|p| &p.transport.kind == t)
                    || s.install.remotes.iter().any(|r| &r.kind == t)
            }
            Term::Remote => !s.install.remotes.is_empty(),
            Term::HasTools => s.probe.as_ref().is_some_and(|p| !p.tools.is_empty()),
            Term::MinDownloads(n) => s.downloads_monthly() >= *n,
        }
    }
}

/// What `--only FILE` selects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Record ids, registry names and plain names, as written.
    names: BTreeSet<String>,
    /// Filter lines: each a conjunction of terms.
    filters: Vec<Vec<Term>>,
}

/// Whether a line's first word makes it a filter line.
fn is_filter(word: &str) -> bool {
    word.contains('=') || matches!(word, "verified" | "remote" | "has-tools")
}

impl Selection {
    /// Parses the file's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Selection, SelectError> {
        let mut sel = Selection::default();
        for (i, raw) in text.lines().enumerate() {
            let err = |reason: String| SelectError {
                file: file.to_string(),
                line: i + 1,
                reason,
            };
            let line = raw.split('#').next().unwrap_or("").trim();
            let words: Vec<&str> = line.split_whitespace().collect();
            let Some(first) = words.first() else {
                continue;
            };
            if is_filter(first) {
                let terms = words
                    .iter()
                    .map(|w| Term::parse(w))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(err)?;
                sel.filters.push(terms);
            } else if words.len() == 1 {
                sel.names.insert(first.to_string());
            } else {
                return Err(err(format!(
                    "{line:?}: one id or name a line, or a filter of `key=value` terms"
                )));
            }
        }
        if sel.names.is_empty() && sel.filters.is_empty() {
            return Err(SelectError {
                file: file.to_string(),
                line: 0,
                reason: "selects nothing: no id, name or filter in it".into(),
            });
        }
        Ok(sel)
    }

    /// Reads and parses a file.
    pub fn load(path: &Path) -> Result<Selection, SelectError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| SelectError {
            file: file.clone(),
            line: 0,
            reason: e.to_string(),
        })?;
        Selection::parse(&file, &text)
    }

    /// The entries of the allowlist this record answers to.
    fn names_of(s: &Server) -> [String; 3] {
        [
            s.id.clone(),
            s.name.clone(),
            crate::export::server_json_name(s),
        ]
    }

    /// Whether the record is selected.
    pub fn matches(&self, s: &Server) -> bool {
        Self::names_of(s).iter().any(|n| self.names.contains(n))
            || self
                .filters
                .iter()
                .any(|terms| terms.iter().all(|t| t.holds(s)))
    }

    /// Keeps the selected records; returns the allowlist entries that matched no record (sorted),
    /// which a caller reports: an approved server that is gone should not vanish silently.
    pub fn apply(&self, ds: &mut Dataset) -> Vec<String> {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for s in &ds.servers {
            for n in Self::names_of(s) {
                if self.names.contains(&n) {
                    seen.insert(n);
                }
            }
        }
        ds.servers.retain(|s| self.matches(s));
        self.names.difference(&seen).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlists_and_filters_select_records() {
        let mut ds = crate::synthetic::catalogue(200, 7);
        let first = ds.servers[0].clone();
        let second = ds.servers[1].clone();
        let text = format!(
            "# approved\n{}\n{}   # by name\nnpm:does-not-exist\n\nsource=npm min-downloads=1000000000\n",
            first.id, second.name
        );
        let sel = Selection::parse("approved.txt", &text).unwrap();
        assert!(sel.matches(&first) && sel.matches(&second));
        let missing = sel.apply(&mut ds);
        assert_eq!(missing, ["npm:does-not-exist"]);
        let ids: Vec<&str> = ds.servers.iter().map(|s| s.id.as_str()).collect();
        assert!(ids.contains(&first.id.as_str()) && ids.contains(&second.id.as_str()));
        let huge = |s: &Server| s.has_source(Source::Npm) && s.downloads_monthly() >= 1_000_000_000;
        assert!(ds
            .servers
            .iter()
            .all(|s| s.id == first.id || s.name == second.name || huge(s)));

        // A filter: every term must hold.
        let mut all = crate::synthetic::catalogue(200, 7);
        let sel = Selection::parse("f", "source=npm verified\n").unwrap();
        sel.apply(&mut all);
        assert!(!all.servers.is_empty());
        assert!(all.servers.iter().all(|s| s.has_source(Source::Npm)
            && s.probe.as_ref().is_some_and(|p| p.outcome == Outcome::Ok)));
    }

    #[test]
    fn a_server_that_answered_only_on_its_remote_endpoint_is_verified() {
        let mut all = crate::synthetic::catalogue(50, 3);
        for s in &mut all.servers {
            s.probe = None;
            s.remote_probes.clear();
        }
        all.servers[0].remote_probes.push(crate::ProbeRecord::bare(
            Outcome::Ok,
            "2026-12-01T00:00:00Z",
        ));
        all.servers[1].remote_probes.push(crate::ProbeRecord::bare(
            Outcome::Timeout,
            "2026-12-01T00:00:00Z",
        ));
        let id = all.servers[0].id.clone();
        assert!(all.servers[0].verified());
        assert!(!all.servers[1].verified());
        Selection::parse("f", "verified\n").unwrap().apply(&mut all);
        let ids: Vec<_> = all.servers.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, [id.as_str()]);
    }

    #[test]
    fn bad_lines_are_errors_that_name_the_line() {
        let e = Selection::parse("a.txt", "npm:x\nsource=gitlab\n").unwrap_err();
        assert_eq!((e.line, e.file.as_str()), (2, "a.txt"));
        assert!(e.reason.contains("gitlab"), "{e}");
        assert!(Selection::parse("a.txt", "two words\n").is_err());
        assert!(Selection::parse("a.txt", "colour=red\n").is_err());
        assert!(Selection::parse("a.txt", "# nothing\n").is_err());
    }
}
