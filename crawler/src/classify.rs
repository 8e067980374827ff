//! Classification: is a record a server, an SDK, a framework, a client or something else?
//!
//! Rules, strongest first: the SDKs themselves are `sdk` (strong); a Registry listing, npm
//! `mcpName`, a PyPI `mcp-name:` marker or a `server.json` make a `server` (strong); name and
//! description patterns make an `sdk`, `framework`, `client` or `other` (medium); depending on an
//! SDK with an entry point, server-like names and `mcp-server` topics make a `server` (medium); a
//! description that says "MCP server" alone is `server` (weak); anything else is `other` (weak).
//! Every rule that fired is returned as a signal. This module reads facts; it fetches nothing.

use dataset::{Confidence, Kind};

use crate::found::signal;

/// The facts classification looks at.
#[derive(Debug, Default, Clone)]
pub struct Input<'a> {
    /// Package names and the repository `owner/name`, as found.
    pub names: Vec<&'a str>,
    /// Descriptions and summaries.
    pub texts: Vec<&'a str>,
    /// Keywords and topics, lowercased.
    pub keywords: Vec<&'a str>,
    /// Signals the sources reported (see [`crate::found::signal`]).
    pub signals: Vec<&'a str>,
}

/// The verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub kind: Kind,
    pub confidence: Confidence,
    pub signals: Vec<String>,
}

/// The MCP SDKs themselves, by package name or `owner/repo` (lowercase).
const KNOWN_SDKS: &[&str] = &[
    "@modelcontextprotocol/sdk",
    "mcp",
    "modelcontextprotocol/typescript-sdk",
    "modelcontextprotocol/python-sdk",
    "modelcontextprotocol/java-sdk",
    "modelcontextprotocol/kotlin-sdk",
    "modelcontextprotocol/csharp-sdk",
    "modelcontextprotocol/go-sdk",
    "modelcontextprotocol/rust-sdk",
    "modelcontextprotocol/swift-sdk",
    "modelcontextprotocol/ruby-sdk",
    "modelcontextprotocol/php-sdk",
    "rmcp",
    "mcp-go",
    "mark3labs/mcp-go",
];

/// Frameworks for building servers (lowercase names).
const KNOWN_FRAMEWORKS: &[&str] = &[
    "fastmcp",
    "jlowin/fastmcp",
    "punkpeye/fastmcp",
    "mcp-framework",
    "fastapi-mcp",
    "mcp-use",
    "@mastra/mcp",
    "xmcp",
    "mcp-agent",
];

fn base(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Classifies one record from its facts.
pub fn classify(input: &Input<'_>) -> Classification {
    let mut signals: Vec<String> = Vec::new();
    let names: Vec<String> = input.names.iter().map(|n| n.to_lowercase()).collect();
    let texts: Vec<String> = input.texts.iter().map(|t| t.to_lowercase()).collect();
    let has = |s: &str| input.signals.contains(&s);

    if let Some(n) = names.iter().find(|n| KNOWN_SDKS.contains(&n.as_str())) {
        signals.push(format!("known:sdk:{n}"));
        return done(Kind::Sdk, Confidence::Strong, signals);
    }
    if let Some(n) = names
        .iter()
        .find(|n| KNOWN_FRAMEWORKS.contains(&n.as_str()))
    {
        signals.push(format!("known:framework:{n}"));
        return done(Kind::Framework, Confidence::Strong, signals);
    }
    for s in [
        signal::REGISTRY_LISTED,
        signal::NPM_MCP_NAME,
        signal::PYPI_MCP_NAME,
        signal::SERVER_JSON,
    ] {
        if has(s) {
            signals.push(s.to_string());
        }
    }
    if !signals.is_empty() {
        return done(Kind::Server, Confidence::Strong, signals);
    }

    // Name and description patterns for the non-server kinds.
    let name_words: Vec<Vec<String>> = names.iter().map(|n| words(base(n))).collect();
    let any_name_word = |w: &str| name_words.iter().any(|ws| ws.iter().any(|x| x == w));
    let name_has_mcp = name_words
        .iter()
        .any(|ws| ws.iter().any(|x| x == "mcp" || x.contains("mcp")));
    let server_name = names.iter().any(|n| {
        let b = base(n);
        let b = b.replace('_', "-");
        b.contains("mcp-server")
            || b.contains("server-mcp")
            || b.starts_with("mcp-")
            || b.ends_with("-mcp")
            || b.contains("-mcp-")
    });
    let text_any = |pats: &[&str]| texts.iter().any(|t| pats.iter().any(|p| t.contains(p)));
    let starts_any = |pats: &[&str]| {
        texts
            .iter()
            .any(|t| pats.iter().any(|p| t.trim_start().starts_with(p)))
    };

    // A description that opens by calling itself a server outweighs name words such as
    // "gateway", "proxy" or "sdk" (an MCP server *for* a gateway is still a server).
    const SELF_SERVER: &[&str] = &[
        "mcp server",
        "an mcp server",
        "a mcp server",
        "mcp server for",
        "model context protocol server",
        "a model context protocol server",
        "a model context protocol (mcp) server",
        "model context protocol (mcp) server",
        "an mcp (model context protocol) server",
    ];
    if starts_any(SELF_SERVER) && !texts.iter().any(|t| t.contains("server sdk")) {
        signals.push("text:self-described-server".into());
        if server_name {
            signals.push("name:mcp-server-pattern".into());
        }
        return done(Kind::Server, Confidence::Medium, signals);
    }
    if (any_name_word("sdk") && name_has_mcp)
        || starts_any(&[
            "mcp sdk",
            "sdk for mcp",
            "sdk for the model context protocol",
        ])
        || text_any(&["model context protocol sdk", "mcp sdk for"])
    {
        signals.push("name:sdk".into());
        return done(Kind::Sdk, Confidence::Medium, signals);
    }
    if any_name_word("framework")
        || text_any(&[
            "framework for building mcp",
            "framework for building model context protocol",
            "mcp framework",
            "framework for mcp servers",
            "build mcp servers",
        ])
    {
        signals.push("text:framework".into());
        return done(Kind::Framework, Confidence::Medium, signals);
    }
    if any_name_word("client")
        || any_name_word("inspector")
        || any_name_word("gateway")
        || any_name_word("proxy")
        || starts_any(&["mcp client", "an mcp client", "a mcp client", "client for"])
    {
        signals.push("name:client".into());
        return done(Kind::Client, Confidence::Medium, signals);
    }
    if names.iter().any(|n| {
        let b = base(n);
        b.starts_with("awesome-")
            || b.starts_with("create-")
            || b.starts_with("eslint-")
            || b.ends_with("-types")
            || b.ends_with("-docs")
            || b.starts_with("@types")
    }) || (any_name_word("cli") && !server_name)
    {
        signals.push("name:tooling".into());
        return done(Kind::Other, Confidence::Medium, signals);
    }

    let mut medium = false;
    if has(signal::DEPENDS_ON_SDK) && has(signal::ENTRY_POINT) {
        signals.push(format!(
            "{}+{}",
            signal::DEPENDS_ON_SDK,
            signal::ENTRY_POINT
        ));
        medium = true;
    }
    if server_name {
        signals.push("name:mcp-server-pattern".into());
        medium = true;
    }
    if input.keywords.iter().any(|k| {
        matches!(
            *k,
            "mcp-server" | "mcp-servers" | "model-context-protocol-server"
        )
    }) {
        signals.push("topic:mcp-server".into());
        medium = true;
    }
    if has(signal::SMITHERY) {
        signals.push(signal::SMITHERY.into());
        medium = true;
    }
    let says_server = text_any(&[
        "mcp server",
        "mcp-server",
        "model context protocol server",
        "model context protocol (mcp) server",
        "(mcp) server",
        "mcp tool",
        "mcp (model context protocol) server",
    ]);
    if says_server {
        signals.push("text:mcp-server".into());
    }
    if medium {
        return done(Kind::Server, Confidence::Medium, signals);
    }
    if says_server || has(signal::DEPENDS_ON_SDK) {
        if has(signal::DEPENDS_ON_SDK) {
            signals.push(signal::DEPENDS_ON_SDK.into());
        }
        return done(Kind::Server, Confidence::Weak, signals);
    }
    done(Kind::Other, Confidence::Weak, signals)
}

fn done(kind: Kind, confidence: Confidence, mut signals: Vec<String>) -> Classification {
    signals.sort();
    signals.dedup();
    Classification {
        kind,
        confidence,
        signals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(names: &[&str], texts: &[&str], sigs: &[&str]) -> Classification {
        classify(&Input {
            names: names.to_vec(),
            texts: texts.to_vec(),
            keywords: vec![],
            signals: sigs.to_vec(),
        })
    }

    #[test]
    fn sdks_are_sdks_even_when_listed() {
        let r = c(
            &["@modelcontextprotocol/sdk"],
            &[],
            &[signal::REGISTRY_LISTED],
        );
        assert_eq!((r.kind, r.confidence), (Kind::Sdk, Confidence::Strong));
        assert_eq!(c(&["mcp"], &[], &[]).kind, Kind::Sdk);
        assert_eq!(c(&["fastmcp"], &[], &[]).kind, Kind::Framework);
        assert_eq!(c(&["kotlin-mcp-sdk"], &[], &[]).kind, Kind::Sdk);
    }

    #[test]
    fn strong_signals_make_servers() {
        let r = c(&["weird-gateway"], &[], &[signal::NPM_MCP_NAME]);
        assert_eq!((r.kind, r.confidence), (Kind::Server, Confidence::Strong));
        assert_eq!(r.signals, vec![signal::NPM_MCP_NAME.to_string()]);
    }

    #[test]
    fn medium_and_weak() {
        let r = c(&["mcp-server-git"], &["Git tools"], &[]);
        assert_eq!((r.kind, r.confidence), (Kind::Server, Confidence::Medium));
        let r = c(
            &["tool"],
            &[],
            &[signal::DEPENDS_ON_SDK, signal::ENTRY_POINT],
        );
        assert_eq!((r.kind, r.confidence), (Kind::Server, Confidence::Medium));
        let r = c(
            &["weather"],
            &["Weather tools, usable as an MCP server"],
            &[],
        );
        assert_eq!((r.kind, r.confidence), (Kind::Server, Confidence::Weak));
        let r = c(&["mcp-client-lite"], &[], &[]);
        assert_eq!(r.kind, Kind::Client);
        let r = c(&["@modelcontextprotocol/inspector"], &[], &[]);
        assert_eq!(r.kind, Kind::Client);
        let r = c(&["ib-gateway-mcp"], &["MCP server for the IB gateway"], &[]);
        assert_eq!((r.kind, r.confidence), (Kind::Server, Confidence::Medium));
        let r = c(&["awesome-mcp-servers"], &[], &[]);
        assert_eq!(r.kind, Kind::Other);
        let r = c(&["left-pad"], &["pads strings"], &[]);
        assert_eq!((r.kind, r.confidence), (Kind::Other, Confidence::Weak));
    }
}
