//! Spec features a probed server was seen to use, for stdio and remote probes alike: declared
//! capabilities and extensions (MCP Apps `io.modelcontextprotocol/ui`, tasks), tools with output
//! schemas, icons, the MCP Apps UI resources tools point to (metadata only), and features the
//! spec deprecates (the HTTP+SSE transport, sampling, roots, logging).
//!
//! It reads what the session recorded; it sends nothing itself.

use std::collections::BTreeSet;

use dataset::{ProbeRecord, SpecFeatures, UiResource};
use serde_json::Value;

use crate::client::Stats;

/// The MCP Apps extension id.
pub const UI_EXTENSION: &str = "io.modelcontextprotocol/ui";
/// Most UI resources read per probe.
pub const MAX_UI_READS: usize = 16;

/// The `ui://` resource a tool points to: `_meta.ui.resourceUri`, or the older flat key
/// `_meta["ui/resourceUri"]`.
pub fn tool_ui_uri(tool: &Value) -> Option<&str> {
    let meta = tool.get("_meta")?;
    meta.get("ui")
        .and_then(|u| u.get("resourceUri"))
        .or_else(|| meta.get("ui/resourceUri"))
        .and_then(Value::as_str)
        .filter(|u| u.starts_with("ui://") && u.len() <= 2048)
}

/// The UI resources tools point to, in tool order, each once.
pub fn ui_targets(tools: &[Value]) -> Vec<UiResource> {
    let mut out: Vec<UiResource> = Vec::new();
    for t in tools {
        let Some(uri) = tool_ui_uri(t) else { continue };
        let name = t
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        match out.iter_mut().find(|u| u.uri == uri) {
            Some(u) => u.tools.push(name),
            None => out.push(UiResource {
                uri: uri.to_string(),
                tools: vec![name],
                ..UiResource::default()
            }),
        }
    }
    out
}

/// Takes a resource's (or a resource content's) mime type and `_meta.ui` metadata; never its
/// text or blob.
pub fn absorb_ui_meta(ui: &mut UiResource, item: &Value) {
    if let Some(m) = item.get("mimeType").and_then(Value::as_str) {
        ui.mime_type = Some(m.chars().take(200).collect());
    }
    let Some(meta) = item
        .get("_meta")
        .and_then(|m| m.get("ui"))
        .and_then(Value::as_object)
    else {
        return;
    };
    if let Some(c) = meta.get("csp") {
        ui.csp = Some(c.clone());
    }
    if let Some(p) = meta.get("permissions") {
        ui.permissions = Some(p.clone());
    }
    let mut keys: BTreeSet<String> = ui.meta_keys.iter().cloned().collect();
    keys.extend(meta.keys().take(32).map(|k| k.chars().take(100).collect()));
    ui.meta_keys = keys.into_iter().collect();
}

fn has_icons(v: &Value) -> bool {
    v.get("icons")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
}

/// The features of a finished probe.
pub fn of(
    rec: &ProbeRecord,
    stats: &Stats,
    sse_transport: bool,
    ui: Vec<UiResource>,
) -> SpecFeatures {
    let caps = rec.capabilities.as_ref().and_then(Value::as_object);
    let mut capabilities: Vec<String> = caps
        .map(|c| {
            c.keys()
                .filter(|k| *k != "extensions")
                .take(64)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    capabilities.sort();
    let mut extensions: Vec<String> = caps
        .and_then(|c| c.get("extensions"))
        .and_then(Value::as_object)
        .map(|e| e.keys().take(64).cloned().collect())
        .unwrap_or_default();
    // experimental extensions were declared under `experimental` before `extensions` existed
    if let Some(exp) = caps
        .and_then(|c| c.get("experimental"))
        .and_then(Value::as_object)
    {
        extensions.extend(exp.keys().filter(|k| k.contains('/')).take(64).cloned());
    }
    extensions.sort();
    extensions.dedup();
    let task_tool = rec.tools.iter().any(|t| {
        t.get("execution")
            .and_then(|e| e.get("taskSupport"))
            .is_some()
    });
    let tasks = capabilities.iter().any(|c| c == "tasks")
        || extensions.iter().any(|e| e.ends_with("/tasks"))
        || task_tool;
    let mcp_apps = extensions.iter().any(|e| e == UI_EXTENSION) || !ui.is_empty();
    let tools_with_output_schema = rec
        .tools
        .iter()
        .filter(|t| t.get("outputSchema").is_some_and(Value::is_object))
        .count() as u32;
    let icons = rec.server_info.as_ref().is_some_and(has_icons)
        || rec
            .tools
            .iter()
            .chain(&rec.prompts)
            .chain(&rec.resources)
            .chain(&rec.resource_templates)
            .any(has_icons);
    let mut deprecated = BTreeSet::new();
    if sse_transport {
        deprecated.insert("sse-transport".to_string());
    }
    if stats.server_requests.contains_key("sampling/createMessage")
        || capabilities.iter().any(|c| c == "sampling")
    {
        deprecated.insert("sampling".to_string());
    }
    if stats.server_requests.contains_key("roots/list") {
        deprecated.insert("roots".to_string());
    }
    if capabilities.iter().any(|c| c == "logging")
        || stats.notifications.contains_key("notifications/message")
    {
        deprecated.insert("logging".to_string());
    }
    SpecFeatures {
        capabilities,
        extensions,
        mcp_apps,
        tasks,
        tools_with_output_schema,
        icons,
        ui_resources: ui,
        deprecated: deprecated.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn features_come_from_what_the_server_said() {
        let mut rec = ProbeRecord::bare(dataset::Outcome::Ok, "2026-12-01T00:00:00Z");
        rec.capabilities = Some(json!({
            "tools": {}, "logging": {},
            "extensions": {"io.modelcontextprotocol/ui": {}, "io.modelcontextprotocol/tasks": {}}
        }));
        rec.server_info = Some(json!({"name": "x", "version": "1", "icons": [{"src": "a.png"}]}));
        rec.tools = vec![
            json!({"name": "a", "inputSchema": {"type": "object"}, "outputSchema": {"type": "object"},
                   "_meta": {"ui": {"resourceUri": "ui://a/view"}}}),
            json!({"name": "b", "inputSchema": {"type": "object"}, "_meta": {"ui/resourceUri": "ui://a/view"}}),
            json!({"name": "c", "_meta": {"ui": {"resourceUri": "https://evil.example/x"}}}),
        ];
        let ui = ui_targets(&rec.tools);
        assert_eq!(ui.len(), 1);
        assert_eq!(ui[0].tools, ["a", "b"]);
        let mut stats = Stats::default();
        stats.server_requests.insert("roots/list".into(), 1);
        let f = of(&rec, &stats, true, ui);
        assert_eq!(f.capabilities, ["logging", "tools"]);
        assert!(f.mcp_apps && f.tasks && f.icons);
        assert_eq!(f.tools_with_output_schema, 1);
        assert_eq!(f.deprecated, ["logging", "roots", "sse-transport"]);

        let bare = of(
            &ProbeRecord::bare(dataset::Outcome::Ok, "x"),
            &Stats::default(),
            false,
            vec![],
        );
        assert!(!bare.mcp_apps && !bare.tasks && !bare.icons && bare.deprecated.is_empty());
    }

    #[test]
    fn ui_metadata_keeps_csp_and_permissions_but_not_html() {
        let mut ui = UiResource {
            uri: "ui://a".into(),
            ..UiResource::default()
        };
        absorb_ui_meta(
            &mut ui,
            &json!({"uri": "ui://a", "mimeType": "text/html;profile=mcp-app", "text": "<script>x</script>",
                    "_meta": {"ui": {"csp": {"connectDomains": ["https://api.example"]},
                                     "permissions": {"camera": {}}, "prefersBorder": true}}}),
        );
        assert_eq!(ui.mime_type.as_deref(), Some("text/html;profile=mcp-app"));
        assert_eq!(
            ui.csp,
            Some(json!({"connectDomains": ["https://api.example"]}))
        );
        assert_eq!(ui.permissions, Some(json!({"camera": {}})));
        assert_eq!(ui.meta_keys, ["csp", "permissions", "prefersBorder"]);
        assert!(!serde_json::to_string(&ui).unwrap().contains("script"));
    }
}
