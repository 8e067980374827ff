//! `hisper run`: the whole pipeline on one machine, `crawl → probe → enrich → index → build`,
//! with the same guards as the nightly workflow, resumable, and `--serve` to look at the result.
//!
//! Each stage runs as a child process of this same binary (`hisper <stage>`), exactly as the
//! workflow runs it, so `run` composes stages without linking their crates together. A stage whose
//! inputs, outputs and binary are unchanged since its last successful run is skipped; the
//! fingerprints live in `<data>/run-state.json`. `--offline` skips the stages that need the network
//! (crawl, and probe, which installs packages) and re-renders from the existing dataset.
//! This module does not implement any stage itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use crate::{Global, Status};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Skip the stages that need the network (crawl, probe); re-render from the existing dataset.
    #[arg(long)]
    pub offline: bool,
    /// Run every stage, even those whose inputs did not change.
    #[arg(long)]
    pub force: bool,
    /// Serve the built site on 127.0.0.1 when done (prints the URL).
    #[arg(long)]
    pub serve: bool,
    /// Port for --serve.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Sources to crawl (comma-separated: github,npm,pypi,registry).
    #[arg(long)]
    pub sources: Option<String>,
    /// Site output directory.
    #[arg(long, default_value = "public")]
    pub out: PathBuf,
    /// Index and publish only the records FILE selects (see `hisper build --only`); crawl, probe
    /// and enrich still cover everything.
    #[arg(long, value_name = "FILE")]
    pub only: Option<PathBuf>,
}

/// One stage of the pipeline as `run` sees it.
struct Stage {
    name: &'static str,
    args: Vec<String>,
    /// Files and directories it reads.
    inputs: Vec<PathBuf>,
    /// Files and directories it writes (may overlap the inputs: in-place stages).
    outputs: Vec<PathBuf>,
    /// Never skipped by fingerprint (it reads the network).
    always: bool,
}

/// Fingerprints of a stage's last successful run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct StageState {
    /// The binary and arguments that ran.
    program: String,
    /// Inputs before the run.
    inputs_before: String,
    /// Inputs after the run (differs for stages that rewrite their input in place).
    inputs_after: String,
    /// Outputs after the run.
    outputs: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct RunState {
    stages: BTreeMap<String, StageState>,
}

pub fn run(args: Args, g: &Global) -> anyhow::Result<Status> {
    let data = &g.data;
    let dataset = g.dataset_path();
    if !dataset.exists() && args.offline {
        bail!(
            "{}: no dataset to render; run without --offline to crawl one",
            dataset.display()
        );
    }
    let exe = std::env::current_exe().context("locating the hisper binary")?;
    let out = args.out.display().to_string();
    let categories = data.join("categories.json");
    let web_index = data.join("index");
    let mut stages = Vec::new();
    if !args.offline {
        let mut crawl_args = vec!["crawl".to_string()];
        if let Some(s) = &args.sources {
            crawl_args.extend(["--sources".into(), s.clone()]);
        }
        stages.push(Stage {
            name: "crawl",
            args: crawl_args,
            inputs: vec![],
            outputs: vec![dataset.clone()],
            always: true,
        });
        stages.push(Stage {
            name: "probe",
            args: vec!["probe".into()],
            inputs: vec![dataset.clone()],
            outputs: vec![dataset.clone()],
            always: true,
        });
    }
    stages.push(Stage {
        name: "enrich",
        args: vec!["enrich".into()],
        inputs: vec![dataset.clone()],
        outputs: vec![dataset.clone(), categories.clone()],
        always: false,
    });
    let only_args: Vec<String> = args
        .only
        .iter()
        .flat_map(|f| ["--only".to_string(), f.display().to_string()])
        .collect();
    let only_inputs: Vec<PathBuf> = args.only.iter().cloned().collect();
    stages.push(Stage {
        name: "index",
        args: [vec!["index".into()], only_args.clone()].concat(),
        inputs: [
            vec![dataset.clone(), categories.clone()],
            only_inputs.clone(),
        ]
        .concat(),
        outputs: vec![web_index.clone()],
        always: false,
    });
    stages.push(Stage {
        name: "build",
        args: [vec!["build".into(), "--out".into(), out.clone()], only_args].concat(),
        inputs: [
            vec![
                dataset.clone(),
                categories,
                web_index,
                data.join("crawl-report.json"),
                data.join("previous/servers.json"),
            ],
            only_inputs,
        ]
        .concat(),
        outputs: vec![args.out.clone(), data.join("history.json")],
        always: false,
    });

    let state_path = data.join("run-state.json");
    let mut state: RunState = std::fs::read(&state_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let program_id = exe_fingerprint(&exe);
    let mut status = Status::Ok;

    for stage in &stages {
        let program = format!("{program_id} {}", stage.args.join(" "));
        let inputs_now = fingerprint(&stage.inputs)?;
        if !args.force && !stage.always {
            if let Some(prev) = state.stages.get(stage.name) {
                let unchanged_inputs =
                    inputs_now == prev.inputs_before || inputs_now == prev.inputs_after;
                if prev.program == program
                    && unchanged_inputs
                    && fingerprint(&stage.outputs)? == prev.outputs
                {
                    tracing::info!("{}: inputs unchanged, skipped", stage.name);
                    continue;
                }
            }
        }
        tracing::info!("{}: running", stage.name);
        let code = run_stage(&exe, g, &stage.args)?;
        match code {
            0 => {}
            1 => {
                tracing::warn!("{}: finished with item failures", stage.name);
                status = Status::ItemFailures;
            }
            c => bail!("stage {} failed (exit {c}); later stages not run, the previous outputs are untouched", stage.name),
        }
        if stage.outputs.contains(&dataset) {
            // The guard between stages: never hand a broken dataset to the next one.
            let problems = dataset::validate::validate_file(&dataset);
            if let Some(first) = problems.first() {
                bail!(
                    "stage {} produced an invalid dataset ({} problems), first: {first}",
                    stage.name,
                    problems.len()
                );
            }
        }
        state.stages.insert(
            stage.name.to_string(),
            StageState {
                program,
                inputs_before: inputs_now,
                inputs_after: fingerprint(&stage.inputs)?,
                outputs: fingerprint(&stage.outputs)?,
            },
        );
        let mut bytes = serde_json::to_vec_pretty(&state)?;
        bytes.push(b'\n');
        dataset::write_atomic(&state_path, &bytes)
            .with_context(|| format!("writing {}", state_path.display()))?;
    }

    if args.serve {
        let code = run_stage(
            &exe,
            g,
            &[
                "serve".into(),
                "--dir".into(),
                out,
                "--port".into(),
                args.port.to_string(),
            ],
        )?;
        if code != 0 {
            bail!("serve exited with {code}");
        }
    } else {
        println!("{}", args.out.join("index.html").display());
    }
    Ok(status)
}

/// Runs `hisper <args>` with the same global options; returns its exit code.
fn run_stage(exe: &Path, g: &Global, args: &[String]) -> anyhow::Result<i32> {
    let mut cmd = Command::new(exe);
    cmd.arg("--data").arg(&g.data);
    if let Some(c) = &g.config_path {
        cmd.arg("--config").arg(c);
    }
    if g.quiet {
        cmd.arg("--quiet");
    }
    for _ in 0..g.verbose {
        cmd.arg("-v");
    }
    cmd.args(args);
    let status = cmd
        .status()
        .with_context(|| format!("starting hisper {}", args.join(" ")))?;
    Ok(status.code().unwrap_or(2))
}

/// Identifies the binary: path, size and modification time (a rebuilt binary re-runs every stage).
fn exe_fingerprint(exe: &Path) -> String {
    let meta = std::fs::metadata(exe).ok();
    let size = meta.as_ref().map(|m| m.len()).unwrap_or(0);
    let mtime = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}:{size}:{mtime}", env!("CARGO_PKG_VERSION"))
}

/// FNV-1a over the paths, sizes and contents of every file under `paths` (sorted); a missing path
/// hashes as missing, so its appearance or disappearance changes the fingerprint.
pub fn fingerprint(paths: &[PathBuf]) -> anyhow::Result<String> {
    let mut h = Fnv::new();
    for root in paths {
        h.write(root.to_string_lossy().as_bytes());
        let mut files = Vec::new();
        collect_files(root, &mut files).with_context(|| format!("reading {}", root.display()))?;
        if files.is_empty() && !root.exists() {
            h.write(b"\0missing");
        }
        files.sort();
        for f in files {
            let bytes = std::fs::read(&f).with_context(|| format!("reading {}", f.display()))?;
            h.write(
                f.strip_prefix(root)
                    .unwrap_or(&f)
                    .to_string_lossy()
                    .as_bytes(),
            );
            h.write(&(bytes.len() as u64).to_le_bytes());
            h.write(&bytes);
        }
    }
    Ok(format!("{:016x}", h.0))
}

fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(m) if m.is_dir() => {
            for entry in std::fs::read_dir(path)? {
                collect_files(&entry?.path(), out)?;
            }
            Ok(())
        }
        Ok(m) if m.is_file() => {
            out.push(path.to_path_buf());
            Ok(())
        }
        Ok(_) => Ok(()),
    }
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_change_with_content_names_and_presence() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("d");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("a"), "1").unwrap();
        std::fs::write(d.join("sub/b"), "2").unwrap();
        let base = fingerprint(std::slice::from_ref(&d)).unwrap();
        assert_eq!(base, fingerprint(std::slice::from_ref(&d)).unwrap());
        std::fs::write(d.join("sub/b"), "3").unwrap();
        let changed = fingerprint(std::slice::from_ref(&d)).unwrap();
        assert_ne!(base, changed);
        std::fs::rename(d.join("a"), d.join("c")).unwrap();
        assert_ne!(changed, fingerprint(std::slice::from_ref(&d)).unwrap());
        let x = dir.path().join("x");
        let absent = fingerprint(std::slice::from_ref(&x)).unwrap();
        std::fs::create_dir(&x).unwrap();
        assert_ne!(
            absent,
            fingerprint(std::slice::from_ref(&x)).unwrap(),
            "appearing changes the fingerprint"
        );
    }
}
