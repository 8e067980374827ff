//! The files around the pages: static assets (`templates/static/`), the Atom feed, the changes
//! since the previous night, the static MCP Registry mirror, `history.json`, the sitemaps (only
//! with an absolute base URL: sitemap URLs must be absolute) and `robots.txt`. What each contains is decided in [`crate::machine`]; this family writes them.

use super::Ctx;
use crate::Out;

/// Writes the machine files; `sitemap` holds the paths the other families returned.
pub fn render(ctx: &Ctx, out: &Out, mut sitemap: Vec<String>) -> anyhow::Result<()> {
    let (ds, inp) = (ctx.ds, ctx.inp);
    for (name, bytes) in [
        (
            "static/site.css",
            &include_bytes!("../../../templates/static/site.css")[..],
        ),
        (
            "static/site.js",
            &include_bytes!("../../../templates/static/site.js")[..],
        ),
        (
            "static/logo.svg",
            &include_bytes!("../../../templates/static/logo.svg")[..],
        ),
    ] {
        out.write(name, bytes)?;
    }
    out.write(
        "feed.xml",
        crate::machine::atom(ds, &ctx.slugs, &inp.base.abs).as_bytes(),
    )?;
    let changes = crate::machine::changes(ds, inp.previous, &ctx.slugs);
    crate::machine::changes_files(out, &changes)?;
    crate::machine::registry_mirror(out, ds, ctx.base)?;
    let mut hist_bytes = inp.history.to_bytes();
    if hist_bytes.is_empty() {
        hist_bytes = b"{}\n".to_vec();
    }
    out.write("history.json", &hist_bytes)?;
    sitemap.sort();
    sitemap.dedup();
    // A sitemap's URLs must be absolute: without an absolute base URL (a local build) there is
    // no sitemap rather than a wrong one, and the build says how to get one.
    let abs = inp.base.abs.as_str();
    let absolute = abs.starts_with("https://") || abs.starts_with("http://");
    if absolute {
        write_sitemaps(out, &sitemap, abs)?;
    } else {
        tracing::warn!(
            "no absolute base URL (set HISPER_BASE_URL or [site] base_url, e.g. \
             https://owner.github.io/hisper/): sitemap.xml is not written, since a sitemap's \
             URLs must be absolute"
        );
    }
    out.write(
        "robots.txt",
        crate::machine::robots(absolute.then_some(abs)).as_bytes(),
    )
}

/// Sitemaps: one file up to 45,000 URLs, else an index of numbered files.
fn write_sitemaps(out: &Out, paths: &[String], abs: &str) -> anyhow::Result<()> {
    const CAP: usize = 45_000;
    if paths.len() <= CAP {
        return out.write(
            "sitemap.xml",
            crate::machine::sitemap(paths, abs).as_bytes(),
        );
    }
    let mut idx = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (n, chunk) in paths.chunks(CAP).enumerate() {
        let name = format!("sitemaps/{}.xml", n + 1);
        out.write(&name, crate::machine::sitemap(chunk, abs).as_bytes())?;
        idx.push_str(&format!("<sitemap><loc>{abs}{name}</loc></sitemap>\n"));
    }
    idx.push_str("</sitemapindex>\n");
    out.write("sitemap.xml", idx.as_bytes())
}
