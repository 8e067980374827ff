//! The process table (Linux `/proc`): descendants of a process, their peak memory, and tree kill.
//!
//! The prober uses it to tear down everything a server started and to measure it. It reads
//! `/proc` only; it does not spawn anything.

use std::collections::{BTreeMap, BTreeSet};

/// A process as seen in `/proc/<pid>/stat`: its parent and its start time (to survive pid reuse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcInfo {
    pub pid: i32,
    pub ppid: i32,
    pub start: u64,
}

/// Reads `/proc/<pid>/stat`.
pub fn info(pid: i32) -> Option<ProcInfo> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state); ppid is field 4, starttime is field 22.
    let ppid = fields.get(1)?.parse().ok()?;
    let start = fields.get(19)?.parse().ok()?;
    Some(ProcInfo { pid, ppid, start })
}

/// Every live process.
pub fn all() -> Vec<ProcInfo> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(info)
        .collect()
}

/// `root` and all its descendants, root first.
pub fn tree(root: i32) -> Vec<ProcInfo> {
    let procs = all();
    let mut children: BTreeMap<i32, Vec<ProcInfo>> = BTreeMap::new();
    let mut root_info = None;
    for p in &procs {
        if p.pid == root {
            root_info = Some(*p);
        }
        children.entry(p.ppid).or_default().push(*p);
    }
    let Some(r) = root_info else {
        return Vec::new();
    };
    let mut out = vec![r];
    let mut seen = BTreeSet::from([root]);
    let mut i = 0;
    while i < out.len() {
        if let Some(kids) = children.get(&out[i].pid) {
            for k in kids {
                if seen.insert(k.pid) {
                    out.push(*k);
                }
            }
        }
        i += 1;
    }
    out
}

/// Whether the process is still the one recorded (alive, same start time, not a zombie).
pub fn alive(p: &ProcInfo) -> bool {
    match info(p.pid) {
        Some(now) if now.start == p.start => {
            let state = std::fs::read_to_string(format!("/proc/{}/stat", p.pid))
                .ok()
                .and_then(|s| s.rfind(')').and_then(|i| s[i + 2..].chars().next()));
            state != Some('Z') && state != Some('X')
        }
        _ => false,
    }
}

/// Sends `sig` to each recorded process that is still the same process.
pub fn signal_all(procs: &[ProcInfo], sig: i32) {
    for p in procs {
        if alive(p) {
            // SAFETY: kill(2) has no memory-safety preconditions.
            unsafe {
                libc::kill(p.pid, sig);
            }
        }
    }
}

/// Sends `sig` to a process group.
pub fn signal_group(pgid: i32, sig: i32) {
    if pgid > 1 {
        // SAFETY: killpg(2) has no memory-safety preconditions.
        unsafe {
            libc::killpg(pgid, sig);
        }
    }
}

/// A `/proc/<pid>/status` value in kB (`VmHWM`, `VmRSS`).
pub fn status_kb(pid: i32, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(key) && l[key.len()..].starts_with(':'))
        .and_then(|l| l[key.len() + 1..].split_whitespace().next()?.parse().ok())
}

/// Sum of the peak resident sets of the processes (an upper bound of the tree's peak).
pub fn peak_rss_kb(procs: &[ProcInfo]) -> Option<u64> {
    let v: Vec<u64> = procs
        .iter()
        .filter_map(|p| status_kb(p.pid, "VmHWM"))
        .collect();
    (!v.is_empty()).then(|| v.iter().sum())
}

/// The processes whose command line contains `needle` (for leftover checks in tests).
pub fn with_cmdline_containing(needle: &str) -> Vec<i32> {
    all()
        .into_iter()
        .filter(alive)
        .filter(|p| {
            std::fs::read(format!("/proc/{}/cmdline", p.pid))
                .map(|b| {
                    String::from_utf8_lossy(&b)
                        .replace('\0', " ")
                        .contains(needle)
                })
                .unwrap_or(false)
        })
        .map(|p| p.pid)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_self_and_children() {
        let me = std::process::id() as i32;
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("sleep runs");
        let t = tree(me);
        assert_eq!(t[0].pid, me);
        assert!(t.iter().any(|p| p.pid == child.id() as i32));
        assert!(peak_rss_kb(&t[..1]).unwrap_or(0) > 0);
        let _ = child.kill();
        let _ = child.wait();
        let p = t.iter().find(|p| p.pid == child.id() as i32).copied();
        assert!(!alive(&p.expect("was listed")));
    }
}
