//! Build benchmark: wall and CPU time, pages per second, MB written and peak memory of
//! `site::build` for the bundled sample and synthetic catalogues of 20,000 and 100,000 servers,
//! side by side with Hugo rendering the same servers as pages (one page per server plus a
//! paginated list) from the same data. Prints a Markdown table. CPU time (user + system) is
//! reported next to wall time because it says more on a shared machine: on 2 free cores the wall
//! time of a parallel build is about half of it.
//!
//! `cargo bench -p hisper-site --bench build` (sizes: `HISPER_BENCH_SIZES=sample,20000,100000`;
//! work directory: `HISPER_BENCH_DIR`, default `target/site-bench`, e.g. `/dev/shm/x` to take a
//! busy disk out of the comparison; `HISPER_BENCH_KEEP=1` keeps the outputs; `HISPER_BENCH_HUGO=0`
//! leaves Hugo out; `HISPER_BENCH_RUNS=N` runs each N times, alternating, and reports the
//! medians). Each build runs in a
//! child process so that peak RSS is measured per build. After each row, stderr gets the output's
//! size per top-level directory, the directory with the most entries and the load average.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Peak RSS (KB) and CPU time (user + system, seconds) of the waited-for children.
fn children_usage() -> (u64, f64) {
    // SAFETY: getrusage writes into the struct we pass.
    let u = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut u);
        u
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (u.ru_maxrss as u64, secs(u.ru_utime) + secs(u.ru_stime))
}

fn dir_size(p: &Path) -> (u64, u64) {
    let mut bytes = 0;
    let mut files = 0;
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                let (b, f) = dir_size(&e.path());
                bytes += b;
                files += f;
            } else {
                bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
                files += 1;
            }
        }
    }
    (bytes, files)
}

/// The largest number of entries in one directory under `p`, and that directory.
fn widest_dir(p: &Path) -> (usize, PathBuf) {
    let mut best = (0, p.to_path_buf());
    if let Ok(rd) = std::fs::read_dir(p) {
        let entries: Vec<_> = rd.flatten().collect();
        if entries.len() > best.0 {
            best = (entries.len(), p.to_path_buf());
        }
        for e in entries {
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                let sub = widest_dir(&e.path());
                if sub.0 > best.0 {
                    best = sub;
                }
            }
        }
    }
    best
}

/// Bytes and files per top-level entry of the output, largest first.
fn breakdown(out: &Path) -> String {
    let mut rows: Vec<(u64, u64, String)> = std::fs::read_dir(out)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                        let (b, f) = dir_size(&e.path());
                        (b, f, format!("{name}/"))
                    } else {
                        (e.metadata().map(|m| m.len()).unwrap_or(0), 1, name)
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
    rows.iter()
        .filter(|r| r.0 >= 100_000)
        .map(|(b, f, n)| format!("{n} {:.1} MB ({f} files)", *b as f64 / 1e6))
        .collect::<Vec<_>>()
        .join(", ")
}

fn count_html(p: &Path) -> u64 {
    let mut n = 0;
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            if e.file_type().unwrap().is_dir() {
                n += count_html(&e.path());
            } else if e.path().extension().is_some_and(|x| x == "html") {
                n += 1;
            }
        }
    }
    n
}

/// Runs `cmd` in a child (via `--measure`) and returns (seconds, peak RSS in MB).
/// Wall seconds, peak RSS in MB and CPU seconds of `cmd`, run in a child of a child.
fn measure(cmd: &[String]) -> (f64, f64, f64) {
    let me = std::env::current_exe().unwrap();
    let out = Command::new(me)
        .arg("--measure")
        .args(cmd)
        .output()
        .expect("running the measuring child");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        text,
        String::from_utf8_lossy(&out.stderr)
    );
    let line = text.lines().last().unwrap_or("");
    let mut it = line.split_whitespace();
    let secs: f64 = it.next().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
    let kb: f64 = it.next().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
    let cpu: f64 = it.next().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
    (secs, kb / 1024.0, cpu)
}

/// Writes a Hugo site with one content page per server (JSON front matter with the fields the
/// Hisper page shows: name, description, sources, tools with parameters) and templates of
/// comparable shape (header, badges, tools table, paginated list of 50).
fn hugo_site(ds: &dataset::Dataset, dir: &Path) {
    let slugs = dataset::slug::assign(&ds.servers);
    std::fs::create_dir_all(dir.join("content/servers")).unwrap();
    std::fs::create_dir_all(dir.join("layouts/_default")).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "baseURL = \"/\"\ntitle = \"Hisper\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\"]\npaginate = 50\n",
    )
    .unwrap();
    let head = r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title><link rel="stylesheet" href="/static/site.css"></head><body><header><a href="/">Hisper</a><form role="search" action="/search/"><input name="q"></form><nav><a href="/servers/">Browse</a></nav></header><main>"#;
    let foot = "</main><footer>Hisper</footer></body></html>";
    std::fs::write(
        dir.join("layouts/_default/single.html"),
        format!(
            r#"{head}<h1>{{{{ .Title }}}} <span>{{{{ .Params.version }}}}</span></h1><p>{{{{ .Params.description }}}}</p><ul>{{{{ range .Params.sources }}}}<li>{{{{ . }}}}</li>{{{{ end }}}}</ul><pre>npx -y {{{{ .Title }}}}</pre><h2>Tools</h2>{{{{ range .Params.tools }}}}<section><h3>{{{{ .name }}}}</h3><p>{{{{ .description }}}}</p><table>{{{{ range .params }}}}<tr><td>{{{{ .name }}}}</td><td>{{{{ .type }}}}</td><td>{{{{ .description }}}}</td></tr>{{{{ end }}}}</table></section>{{{{ end }}}}{{{{ .Content }}}}{foot}"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("layouts/_default/list.html"),
        format!(
            r#"{head}<h1>{{{{ .Title }}}}</h1><ul>{{{{ range (.Paginate .Pages.ByTitle).Pages }}}}<li><a href="{{{{ .RelPermalink }}}}">{{{{ .Title }}}}</a> {{{{ .Params.version }}}}<p>{{{{ .Params.description }}}}</p></li>{{{{ end }}}}</ul>{{{{ with .Paginator }}}}{{{{ if .HasNext }}}}<a href="{{{{ .Next.URL }}}}">Next</a>{{{{ end }}}}{{{{ end }}}}{foot}"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("layouts/index.html"),
        format!("{head}<h1>Hisper</h1>{foot}"),
    )
    .unwrap();
    for s in &ds.servers {
        let tools: Vec<serde_json::Value> = s
            .probe
            .as_ref()
            .map(|p| {
                p.tools
                    .iter()
                    .map(|t| {
                        let params: Vec<serde_json::Value> = t
                            .pointer("/inputSchema/properties")
                            .and_then(|v| v.as_object())
                            .map(|m| {
                                m.iter()
                                    .map(|(k, v)| serde_json::json!({"name": k, "type": v.get("type"), "description": v.get("description")}))
                                    .collect()
                            })
                            .unwrap_or_default();
                        serde_json::json!({"name": t.get("name"), "description": t.get("description"), "params": params})
                    })
                    .collect()
            })
            .unwrap_or_default();
        let fm = serde_json::json!({
            "title": s.name,
            "description": s.description,
            "version": s.version(),
            "sources": s.sources.iter().map(|e| e.source.label()).collect::<Vec<_>>(),
            "tools": tools,
        });
        let body = format!("{}\n\n{}\n", fm, s.readme.as_deref().unwrap_or(""));
        std::fs::write(
            dir.join(format!("content/servers/{}.md", slugs[&s.id])),
            body,
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("content/servers/_index.md"),
        "{\"title\": \"All servers\"}\n",
    )
    .unwrap();
}

/// The median run by wall time (the lower middle of an even count).
fn median(mut runs: Vec<(f64, f64, f64)>) -> (f64, f64, f64) {
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    runs[(runs.len() - 1) / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--measure") {
        let start = Instant::now();
        let status = Command::new(&args[1])
            .args(&args[2..])
            .status()
            .expect("spawning");
        let secs = start.elapsed().as_secs_f64();
        assert!(status.success(), "{:?} failed", &args[1..]);
        let (kb, cpu) = children_usage();
        println!("{secs:.3} {kb} {cpu:.3}");
        return;
    }
    if args.first().map(String::as_str) == Some("--child-build") {
        let mut opts = site::Options::new(&args[1], &args[2]);
        opts.update_history = false;
        site::build(&opts, &indicatif::ProgressBar::hidden()).expect("build");
        return;
    }
    let me = std::env::current_exe()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let sizes =
        std::env::var("HISPER_BENCH_SIZES").unwrap_or_else(|_| "sample,20000,100000".into());
    let has_hugo = std::env::var("HISPER_BENCH_HUGO").as_deref() != Ok("0")
        && Command::new("hugo").arg("version").output().is_ok();
    if !has_hugo {
        eprintln!("SKIPPED Hugo comparison: hugo not installed (run .ci/setup/site.sh)");
    }
    let runs: usize = std::env::var("HISPER_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(1);
    let work = std::env::var_os("HISPER_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/site-bench"));
    println!("| catalogue | servers | Hisper s | Hisper CPU s | pages | pages/s | MB written | files | peak RSS MB | Hugo s | Hugo CPU s | Hugo pages | Hugo peak MB | Hugo/Hisper time | Hugo/Hisper CPU |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for size in sizes.split(',') {
        let dir = work.join(size);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let ds = if size == "sample" {
            dataset::load(&root.join("data/servers.json")).expect("the bundled sample")
        } else {
            dataset::synthetic::catalogue(size.parse().expect("a size"), 42)
        };
        dataset::save(&dir.join("data/servers.json"), &ds).unwrap();
        let out = dir.join("public");
        let hdir = dir.join("hugo");
        if has_hugo {
            hugo_site(&ds, &hdir);
        }
        // Hisper and Hugo alternate, `runs` times each, so that a shared machine's load falls on
        // both alike; the table has each one's median run (by wall time).
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for _ in 0..runs {
            let _ = std::fs::remove_dir_all(&out);
            ours.push(measure(&[
                me.clone(),
                "--child-build".into(),
                dir.join("data").to_string_lossy().into_owned(),
                out.to_string_lossy().into_owned(),
            ]));
            if has_hugo {
                let _ = std::fs::remove_dir_all(hdir.join("public"));
                theirs.push(measure(&[
                    "hugo".into(),
                    "--quiet".into(),
                    "-s".into(),
                    hdir.to_string_lossy().into_owned(),
                    "-d".into(),
                    hdir.join("public").to_string_lossy().into_owned(),
                ]));
            }
        }
        if runs > 1 {
            eprintln!(
                "{size}: Hisper wall s {:?}, Hugo wall s {:?}",
                ours.iter().map(|r| r.0).collect::<Vec<_>>(),
                theirs.iter().map(|r| r.0).collect::<Vec<_>>()
            );
        }
        let (secs, rss, cpu) = median(ours);
        let pages = count_html(&out);
        let (bytes, files) = dir_size(&out);
        let hugo = has_hugo.then(|| {
            let (hs, hrss, hcpu) = median(theirs);
            (hs, count_html(&hdir.join("public")), hrss, hcpu)
        });
        let (h_s, h_cpu, h_pages, h_rss, ratio, cpu_ratio) = match hugo {
            Some((hs, hp, hr, hc)) => (
                format!("{hs:.2}"),
                format!("{hc:.2}"),
                hp.to_string(),
                format!("{hr:.0}"),
                format!("{:.2}", hs / secs),
                format!("{:.2}", hc / cpu),
            ),
            None => (
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
            ),
        };
        println!(
            "| {size} | {} | {secs:.2} | {cpu:.2} | {pages} | {:.0} | {:.1} | {files} | {rss:.0} | {h_s} | {h_cpu} | {h_pages} | {h_rss} | {ratio} | {cpu_ratio} |",
            ds.servers.len(),
            pages as f64 / secs,
            bytes as f64 / 1e6,
        );
        let (wide, wide_dir) = widest_dir(&out);
        eprintln!(
            "{size}: {} | widest directory: {} with {wide} entries | load average: {}",
            breakdown(&out),
            wide_dir.strip_prefix(&out).unwrap_or(&wide_dir).display(),
            std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .trim(),
        );
        if std::env::var_os("HISPER_BENCH_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
