//! How much more memory this process may use, from every bound the system sets: the
//! memory the kernel reports as available (`MemAvailable`), the process's control
//! group (cgroup v2 `memory.max`, v1 `memory.limit_in_bytes`, as under Slurm, systemd
//! or in containers, for the group and every group above it), the address-space limit
//! (`ulimit -v`, `RLIMIT_AS`) and, under strict overcommit, the commit limit. The
//! smallest wins. [`crate::simulation::check_capacity`] compares a run's estimate with
//! it before anything large is allocated.
//!
//! Every bound keeps a margin, because the estimate is within about 10% of the measured
//! peak and because the kernel needs room of its own: a control group's remaining
//! room counts reclaimable file cache (`inactive_file`) as free and then keeps 5% of
//! the limit back; the address space counts what the process has mapped already
//! (`VmSize`: code, thread stacks, the allocator's arenas), 64 MiB for the arena of
//! each thread still to start, and keeps 32 MiB back. Measured with `ulimit -v`, the
//! address space a run needs is its mapped size at the check plus about the estimate
//! (`scenarios/baseline.toml` at 10^5 and 10^6 users on 2 threads).
//!
//! Linux only; elsewhere nothing is known and nothing is refused.

use std::fs;
use std::path::{Path, PathBuf};

/// Address space the allocator reserves per thread without using it (glibc's arena).
const ARENA_BYTES: u64 = 64 << 20;

/// One bound on the memory left to this process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound {
    /// Bytes left under this bound, margin deducted.
    pub bytes: u64,
    /// What sets the bound, for messages: "MemAvailable", "cgroup memory.max of
    /// /slurm/job_42 (2.0 GiB)", "ulimit -v (1.0 GiB)".
    pub source: String,
}

/// The smallest bound on the memory this process may still use, for a run with
/// `threads` worker threads; `None` where none is known.
pub fn available(threads: usize) -> Option<Bound> {
    let mut bounds = bounds_under(Path::new("/"));
    bounds.extend(address_space(threads));
    bounds.into_iter().min_by_key(|b| b.bytes)
}

/// The bounds read from `/proc` and `/sys` under `root` (a fake tree in tests):
/// `MemAvailable`, the commit limit under strict overcommit, and the control groups.
pub fn bounds_under(root: &Path) -> Vec<Bound> {
    let mut out = Vec::new();
    let meminfo = fs::read_to_string(root.join("proc/meminfo")).unwrap_or_default();
    let field = |name: &str| -> Option<u64> {
        let line = meminfo.lines().find(|l| l.starts_with(name))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    };
    if let Some(avail) = field("MemAvailable:") {
        out.push(Bound {
            bytes: avail,
            source: "MemAvailable".into(),
        });
    }
    let strict = fs::read_to_string(root.join("proc/sys/vm/overcommit_memory"))
        .is_ok_and(|t| t.trim() == "2");
    if let (true, Some(limit), Some(used)) = (strict, field("CommitLimit:"), field("Committed_AS:"))
    {
        out.push(Bound {
            bytes: limit.saturating_sub(used),
            source: "the commit limit (vm.overcommit_memory = 2)".into(),
        });
    }
    let groups = fs::read_to_string(root.join("proc/self/cgroup")).unwrap_or_default();
    for line in groups.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if controllers.is_empty() {
            out.extend(cgroup_bounds(root, "sys/fs/cgroup", path, V2));
        } else if controllers.split(',').any(|c| c == "memory") {
            out.extend(cgroup_bounds(root, "sys/fs/cgroup/memory", path, V1));
        }
    }
    out
}

/// File names of one cgroup version: limit, usage, the reclaimable-cache key in
/// `memory.stat`.
struct Version {
    limit: &'static str,
    usage: &'static str,
    inactive: &'static str,
    name: &'static str,
}

const V2: Version = Version {
    limit: "memory.max",
    usage: "memory.current",
    inactive: "inactive_file",
    name: "memory.max",
};

const V1: Version = Version {
    limit: "memory.limit_in_bytes",
    usage: "memory.usage_in_bytes",
    inactive: "total_inactive_file",
    name: "memory.limit_in_bytes",
};

/// Limits at or above 2^60 bytes are "no limit" (cgroup v1 writes 2^63 rounded down
/// to a page).
const UNLIMITED: u64 = 1 << 60;

/// The bounds of the control group `path` and every group above it, under the
/// hierarchy mounted at `root/mount`. In a container the group's own path is often not
/// visible: then the mount's root is the group.
fn cgroup_bounds(root: &Path, mount: &str, path: &str, v: Version) -> Vec<Bound> {
    let base = root.join(mount);
    let own = base.join(path.trim_start_matches('/'));
    let mut dir: PathBuf = if own.is_dir() { own } else { base.clone() };
    let mut out = Vec::new();
    loop {
        if let Some(b) = cgroup_bound(&dir, &v, root) {
            out.push(b);
        }
        if dir == base || !dir.pop() || !dir.starts_with(&base) {
            break;
        }
    }
    out
}

/// The room left in one control group, if it has a limit.
fn cgroup_bound(dir: &Path, v: &Version, root: &Path) -> Option<Bound> {
    let read = |name: &str| fs::read_to_string(dir.join(name)).ok();
    let limit: u64 = read(v.limit)?.trim().parse().ok()?;
    if limit >= UNLIMITED {
        return None;
    }
    let usage: u64 = read(v.usage)
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
    let inactive: u64 = read("memory.stat")
        .and_then(|t| {
            t.lines().find_map(|l| {
                let (key, value) = l.split_once(' ')?;
                (key == v.inactive).then(|| value.trim().parse().ok())?
            })
        })
        .unwrap_or(0);
    let used = usage.saturating_sub(inactive);
    let shown = Path::new("/").join(dir.strip_prefix(root).unwrap_or(dir));
    Some(Bound {
        bytes: limit.saturating_sub(used).saturating_sub(limit / 20),
        source: format!(
            "{} of {} is {}",
            v.name,
            shown.display(),
            crate::error::human_bytes(limit)
        ),
    })
}

/// The room left under `ulimit -v` for a run with `threads` threads.
fn address_space(threads: usize) -> Option<Bound> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::process::{getrlimit, Resource};
        let limit = getrlimit(Resource::As).current?;
        let status = fs::read_to_string("/proc/self/status").ok()?;
        let field = |name: &str| -> Option<u64> {
            let rest = status.lines().find_map(|l| l.strip_prefix(name))?;
            rest.split_whitespace().next()?.parse().ok()
        };
        let size_kib = field("VmSize:")?;
        // Threads that do not run yet will each reserve an arena of their own.
        let running = field("Threads:").unwrap_or(1);
        let to_come = (threads as u64 + 1).saturating_sub(running);
        let reserved = to_come * ARENA_BYTES + (32 << 20);
        Some(Bound {
            bytes: limit
                .saturating_sub(size_kib * 1024)
                .saturating_sub(reserved),
            source: format!(
                "ulimit -v, the address-space limit, is {}",
                crate::error::human_bytes(limit)
            ),
        })
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = (threads, ARENA_BYTES);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = t.path().join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        t
    }

    const GIB: u64 = 1 << 30;

    fn smallest(root: &Path) -> Bound {
        bounds_under(root)
            .into_iter()
            .min_by_key(|b| b.bytes)
            .unwrap()
    }

    #[test]
    fn cgroup_v2_limit_of_the_group_or_a_parent() {
        let t = tree(&[
            (
                "proc/meminfo",
                "MemTotal: 100 kB\nMemAvailable:   20971520 kB\n",
            ),
            ("proc/self/cgroup", "0::/slurm/job_42/step_0\n"),
            ("sys/fs/cgroup/slurm/memory.max", "max\n"),
            ("sys/fs/cgroup/slurm/job_42/memory.max", "4294967296\n"),
            ("sys/fs/cgroup/slurm/job_42/memory.current", "1073741824\n"),
            (
                "sys/fs/cgroup/slurm/job_42/memory.stat",
                "anon 1\ninactive_file 536870912\n",
            ),
            ("sys/fs/cgroup/slurm/job_42/step_0/memory.max", "max\n"),
        ]);
        let b = smallest(t.path());
        // 4 GiB - (1 GiB used - 0.5 GiB cache) - 5% of 4 GiB.
        assert_eq!(b.bytes, 4 * GIB - GIB / 2 - 4 * GIB / 20);
        assert!(
            b.source
                .contains("memory.max of /sys/fs/cgroup/slurm/job_42 is"),
            "{}",
            b.source
        );
        assert!(b.source.contains("4.0 GiB"), "{}", b.source);
    }

    #[test]
    fn cgroup_v2_inside_a_container_uses_the_mount_root() {
        let t = tree(&[
            ("proc/meminfo", "MemAvailable: 20971520 kB\n"),
            ("proc/self/cgroup", "0::/\n"),
            ("sys/fs/cgroup/memory.max", "2147483648\n"),
            ("sys/fs/cgroup/memory.current", "0\n"),
        ]);
        assert_eq!(smallest(t.path()).bytes, 2 * GIB - 2 * GIB / 20);
        let t = tree(&[
            ("proc/self/cgroup", "0::/somewhere/not/visible\n"),
            ("sys/fs/cgroup/memory.max", "2147483648\n"),
        ]);
        assert_eq!(smallest(t.path()).bytes, 2 * GIB - 2 * GIB / 20);
    }

    #[test]
    fn cgroup_v1_memory_controller() {
        let t = tree(&[
            ("proc/meminfo", "MemAvailable: 20971520 kB\n"),
            ("proc/self/cgroup", "5:cpu,cpuacct:/x\n4:memory:/job\n"),
            (
                "sys/fs/cgroup/memory/memory.limit_in_bytes",
                "9223372036854771712\n",
            ),
            (
                "sys/fs/cgroup/memory/job/memory.limit_in_bytes",
                "1073741824\n",
            ),
            (
                "sys/fs/cgroup/memory/job/memory.usage_in_bytes",
                "104857600\n",
            ),
            (
                "sys/fs/cgroup/memory/job/memory.stat",
                "inactive_file 1\ntotal_inactive_file 52428800\n",
            ),
        ]);
        let b = smallest(t.path());
        assert_eq!(b.bytes, GIB - (100 << 20) + (50 << 20) - GIB / 20);
        assert!(
            b.source
                .contains("memory.limit_in_bytes of /sys/fs/cgroup/memory/job is"),
            "{}",
            b.source
        );
    }

    #[test]
    fn mem_available_and_strict_commit_limit() {
        let t = tree(&[(
            "proc/meminfo",
            "MemAvailable: 1048576 kB\nCommitLimit: 4194304 kB\nCommitted_AS: 3670016 kB\n",
        )]);
        let b = smallest(t.path());
        assert_eq!((b.bytes, b.source.as_str()), (GIB, "MemAvailable"));
        fs::create_dir_all(t.path().join("proc/sys/vm")).unwrap();
        fs::write(t.path().join("proc/sys/vm/overcommit_memory"), "2\n").unwrap();
        assert_eq!(smallest(t.path()).bytes, GIB / 2);
        // Nothing known: no bound.
        let empty = tempfile::tempdir().unwrap();
        assert!(bounds_under(empty.path()).is_empty());
    }
}
