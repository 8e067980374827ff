//! Normalizing the names and links the sources give: repository URLs, PyPI project names, keywords.
//!
//! Pure functions over strings: no I/O, no network. They decide identity (what counts as the same
//! repository or the same package), so they are conservative: anything they cannot parse is
//! `None`, never a guess.

/// A repository reference reduced to its identity.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct RepoRef {
    /// `github`, `gitlab`, `bitbucket`, `codeberg`.
    pub forge: String,
    /// Owner as written (case kept for display; ids lowercase it).
    pub owner: String,
    /// Repository name as written, without `.git`.
    pub name: String,
    /// Path of the server inside the repository, clean and `/`-separated.
    pub subfolder: Option<String>,
}

impl RepoRef {
    /// The dataset's repository for this reference, with nothing fetched yet (no stars, no
    /// license, no dates).
    pub fn to_repository(&self) -> dataset::Repository {
        dataset::Repository {
            url: self.url(),
            forge: self.forge.clone(),
            owner: self.owner.clone(),
            name: self.name.clone(),
            subfolder: self.subfolder.clone(),
            ..Default::default()
        }
    }

    /// `https://<forge host>/<owner>/<name>`.
    pub fn url(&self) -> String {
        format!(
            "https://{}/{}/{}",
            forge_host(&self.forge),
            self.owner,
            self.name
        )
    }

    /// The dataset id `github:<owner>/<repo>[/<subfolder>]`, lowercased; `None` off GitHub
    /// (the dataset only has GitHub repository ids).
    pub fn id(&self) -> Option<String> {
        if self.forge != "github" {
            return None;
        }
        let mut id = format!("github:{}/{}", self.owner, self.name);
        if let Some(sub) = &self.subfolder {
            id.push('/');
            id.push_str(sub);
        }
        Some(id.to_lowercase())
    }

    /// The same repository without a subfolder.
    pub fn root(&self) -> RepoRef {
        RepoRef {
            subfolder: None,
            ..self.clone()
        }
    }
}

fn forge_host(forge: &str) -> &str {
    match forge {
        "github" => "github.com",
        "gitlab" => "gitlab.com",
        "bitbucket" => "bitbucket.org",
        "codeberg" => "codeberg.org",
        other => other,
    }
}

fn forge_of_host(host: &str) -> Option<&'static str> {
    match host
        .trim_start_matches("www.")
        .to_ascii_lowercase()
        .as_str()
    {
        "github.com" => Some("github"),
        "gitlab.com" => Some("gitlab"),
        "bitbucket.org" => Some("bitbucket"),
        "codeberg.org" => Some("codeberg"),
        _ => None,
    }
}

/// Cleans a monorepo subfolder: strips `./`, leading and trailing `/`; `None` when empty or
/// when it contains `..`, `.` or empty segments after cleaning.
pub fn clean_subfolder(path: &str) -> Option<String> {
    let trimmed = path.trim().trim_start_matches("./").trim_matches('/');
    if trimmed.is_empty() {
        return None;
    }
    let parts: Vec<&str> = trimmed.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty()
        || parts
            .iter()
            .any(|p| *p == ".." || *p == "." || p.chars().any(|c| c.is_control() || c == '\\'))
    {
        return None;
    }
    Some(parts.join("/"))
}

fn valid_segment(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Normalizes a repository link as npm, PyPI, the MCP Registry or GitHub write it.
///
/// Accepts `git+https://…`, `git://…`, `ssh://git@host/…`, `git@host:owner/repo.git`,
/// `github:owner/repo`, npm's `owner/repo` shorthand, `https://host/owner/repo/tree/<ref>/<path>`
/// (the path becomes the subfolder) and trailing `.git`, `/`, `#fragment`, `?query`.
/// `directory` (npm `repository.directory`, the Registry's `subfolder`) wins over a `/tree/` path.
pub fn normalize_repo(url: &str, directory: Option<&str>) -> Option<RepoRef> {
    let mut s = url.trim();
    if s.is_empty() || s.len() > 2048 {
        return None;
    }
    s = s.strip_prefix("git+").unwrap_or(s);
    let (host, path): (String, String) =
        if let Some(rest) = s.strip_prefix("github:").filter(|r| !r.starts_with('/')) {
            ("github.com".into(), rest.into())
        } else if let Some(rest) = s.strip_prefix("gitlab:") {
            ("gitlab.com".into(), rest.into())
        } else if let Some(rest) = s.strip_prefix("bitbucket:") {
            ("bitbucket.org".into(), rest.into())
        } else if let Some((scheme, rest)) = s.split_once("://") {
            if !matches!(
                scheme.to_ascii_lowercase().as_str(),
                "http" | "https" | "git" | "ssh" | "git+ssh"
            ) {
                return None;
            }
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            let host = host.split(':').next().unwrap_or(host);
            (host.into(), path.into())
        } else if let Some((userhost, path)) = s.split_once(':').filter(|(a, _)| a.contains('@')) {
            // scp-like: git@github.com:owner/repo.git
            let host = userhost.rsplit('@').next().unwrap_or(userhost);
            (host.into(), path.into())
        } else if s.matches('/').count() == 1 && !s.contains(':') && !s.starts_with('.') {
            // npm shorthand owner/repo means GitHub.
            ("github.com".into(), s.into())
        } else {
            return None;
        };
    let forge = forge_of_host(&host)?;
    let path = path.split(['#', '?']).next().unwrap_or("");
    let mut segs = path.split('/').filter(|p| !p.is_empty());
    let owner = segs.next()?.to_string();
    let mut name = segs.next()?.to_string();
    if let Some(n) = name.strip_suffix(".git") {
        name = n.to_string();
    }
    if !valid_segment(&owner) || !valid_segment(&name) {
        return None;
    }
    let rest: Vec<&str> = segs.collect();
    let mut subfolder = None;
    // /tree/<ref>/<path> and /blob/<ref>/<path> (GitLab: /-/tree/<ref>/<path>).
    let rest = if rest.first() == Some(&"-") {
        &rest[1..]
    } else {
        &rest[..]
    };
    if rest.len() >= 3 && matches!(rest[0], "tree" | "blob") {
        subfolder = clean_subfolder(&rest[2..].join("/"));
    }
    if let Some(dir) = directory {
        if let Some(d) = clean_subfolder(dir) {
            subfolder = Some(d);
        }
    }
    Some(RepoRef {
        forge: forge.into(),
        owner,
        name,
        subfolder,
    })
}

/// PEP 503 normalization: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Keywords from a package name: its parts split on anything not alphanumeric, lowercased,
/// at least two characters, numbers dropped.
pub fn name_keywords(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|p| p.chars().count() >= 2 && !p.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .collect()
}

/// Splits a free keyword string (PyPI's `keywords`) on commas and whitespace.
pub fn split_keywords(s: &str) -> Vec<String> {
    let sep: &[char] = if s.contains(',') {
        &[',']
    } else {
        &[' ', '\t']
    };
    s.split(sep)
        .map(|k| k.trim().to_lowercase())
        .filter(|k| !k.is_empty() && k.len() <= 50)
        .collect()
}

/// Whether a summary is a template placeholder rather than a description.
pub fn is_placeholder_summary(s: &str) -> bool {
    let t = s.trim().trim_end_matches('.').to_ascii_lowercase();
    t.is_empty()
        || matches!(
            t.as_str(),
            "add your description here"
                | "a short description"
                | "todo"
                | "description"
                | "unknown"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(url: &str, dir: Option<&str>) -> Option<String> {
        normalize_repo(url, dir).and_then(|r| r.id())
    }

    #[test]
    fn repository_url_forms() {
        let want = Some("github:modelcontextprotocol/servers".to_string());
        for u in [
            "git+https://github.com/modelcontextprotocol/servers.git",
            "https://github.com/ModelContextProtocol/Servers",
            "git://github.com/modelcontextprotocol/servers.git",
            "ssh://git@github.com/modelcontextprotocol/servers.git",
            "git@github.com:modelcontextprotocol/servers.git",
            "github:modelcontextprotocol/servers",
            "modelcontextprotocol/servers",
            "https://www.github.com/modelcontextprotocol/servers/#readme",
            "https://github.com/modelcontextprotocol/servers?tab=readme",
        ] {
            assert_eq!(id(u, None), want, "{u}");
        }
        let r = normalize_repo("https://github.com/Foo/Bar.git", None).unwrap();
        assert_eq!(r.url(), "https://github.com/Foo/Bar");
    }

    #[test]
    fn tree_paths_and_directory_give_subfolders() {
        assert_eq!(
            id(
                "https://github.com/modelcontextprotocol/servers/tree/main/src/fetch",
                None
            )
            .as_deref(),
            Some("github:modelcontextprotocol/servers/src/fetch")
        );
        assert_eq!(
            id(
                "git+https://github.com/modelcontextprotocol/servers.git",
                Some("./src/git/")
            )
            .as_deref(),
            Some("github:modelcontextprotocol/servers/src/git")
        );
        assert_eq!(
            id("https://github.com/a/b", Some("../etc")).as_deref(),
            Some("github:a/b")
        );
        assert_eq!(clean_subfolder("a//b/"), Some("a/b".into()));
        assert_eq!(clean_subfolder("a/../b"), None);
    }

    #[test]
    fn other_forges_and_garbage() {
        let r = normalize_repo("https://gitlab.com/group/proj.git", None).unwrap();
        assert_eq!(r.forge, "gitlab");
        assert_eq!(r.id(), None);
        for bad in [
            "",
            "https://example.com/a/b",
            "not a url",
            "file:///tmp/x",
            "https://github.com/onlyowner",
            "https://github.com/a/b c",
        ] {
            assert!(normalize_repo(bad, None).is_none(), "{bad}");
        }
    }

    #[test]
    fn pep503_normalization() {
        assert_eq!(pep503("Foo.Bar__baz"), "foo-bar-baz");
        assert_eq!(pep503("mcp_server-GIT"), "mcp-server-git");
        assert_eq!(pep503("a-_.-b"), "a-b");
        assert_eq!(pep503("mcp"), "mcp");
    }

    #[test]
    fn keywords_from_names() {
        assert_eq!(
            name_keywords("@0xshariq/docker-mcp-server"),
            vec!["0xshariq", "docker", "mcp", "server"]
        );
        assert_eq!(name_keywords("a-mcp-2"), vec!["mcp"]);
        assert_eq!(
            split_keywords("mcp, llm ,Claude"),
            vec!["mcp", "llm", "claude"]
        );
        assert_eq!(split_keywords("mcp llm"), vec!["mcp", "llm"]);
    }
}
