#!/bin/bash
# End-to-end check of Grapevine sweeps on Slurm, on this one machine (run as root).
#
# Installs Slurm and munge from Debian packages, starts munged, slurmctld and slurmd
# on localhost (a private slurm.conf under $WORK, nothing written to /etc/slurm),
# submits a small sweep as a 4-task job array with scripts/slurm/sweep.sbatch, waits,
# merges the shards, runs the same sweep locally, and compares runs.csv (sorted by run
# id) and points.csv. Prints PASS or FAIL and exits 0 or 1. Idempotent: daemons left
# by an earlier run of this script are stopped first; the daemons it starts are
# stopped at the end (by their pid), whatever happens. CI does not run it.
#
#   sudo scripts/slurm/e2e.sh            # GRAPEVINE=path/to/grapevine to skip the build
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${WORK:-/tmp/grapevine-slurm-e2e}
TASKS=4
export SLURM_CONF=$WORK/etc/slurm.conf

say() { echo "[e2e] $*"; }
[ "$(id -u)" = 0 ] || { echo "run as root (installs packages, starts daemons)"; exit 2; }

stop_pidfile() {
    local f=$1
    if [ -s "$f" ]; then
        local pid; pid=$(cat "$f")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$f"
    fi
}

cleanup() {
    say "stopping the daemons this script started"
    stop_pidfile "$WORK/slurmd.pid"
    stop_pidfile "$WORK/slurmctld.pid"
    stop_pidfile "$WORK/munged.pid"
}

# 1. Packages (no-op when installed).
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# 2. Leftovers of an earlier run.
cleanup
trap cleanup EXIT
rm -rf "$WORK"
mkdir -p "$WORK"/{etc,state,spool,run}

# 3. The grapevine binary.
GRAPEVINE=${GRAPEVINE:-$REPO/target/release/grapevine}
if [ ! -x "$GRAPEVINE" ]; then
    say "building grapevine (release)"
    (cd "$REPO" && cargo build --release --quiet)
fi
export GRAPEVINE

# 4. munge: a key, and munged unless one already answers.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    if [ ! -s /etc/munge/munge.key ]; then
        say "creating /etc/munge/munge.key"
        if command -v mungekey >/dev/null; then mungekey --create --force; else
            dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
    fi
    chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    say "starting munged"
    runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
    for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
    cp /run/munge/munged.pid "$WORK/munged.pid"
    munge -n | unmunge >/dev/null
fi

# 5. A one-node cluster on localhost.
HOST=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
cat > "$SLURM_CONF" <<CONF
ClusterName=grapevine-e2e
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=e2e Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
say "starting slurmctld and slurmd ($HOST, $CPUS cpus)"
slurmctld -i
slurmd
for i in $(seq 60); do
    state=$(sinfo -h -n "$HOST" -o %T 2>/dev/null || true)
    case "$state" in idle*|mix*|alloc*) break ;; esac
    [ "$i" = 60 ] && { say "node not ready: '$state'"; tail -20 "$WORK"/slurm*.log; exit 1; }
    sleep 1
done
say "node $HOST is $state"

# 6. A small sweep: 4 x 3 points x 2 replicates = 24 runs of a 500-user, one-day scenario.
cat > "$WORK/base.toml" <<TOML
name = "e2e"
[simulation]
horizon = "1d"
replicates = 1
[population]
users = 500
[rumor]
appeal = 0.35
[sharing]
believer = 0.4
TOML
cat > "$WORK/sweep.toml" <<TOML
name = "e2e"
scenario = "base.toml"
replicates = 2
seed = 42
[parameters]
platform.forward_limit = [1, 5, 20, 256]
rumor.appeal = { min = 0.2, max = 0.6, steps = 3 }
TOML

cd "$WORK"
say "submitting the sweep as a job array of $TASKS tasks"
sbatch --wait --array=0-$((TASKS - 1)) --cpus-per-task=1 --mem-per-cpu=500M \
    --time=00:10:00 --output="$WORK/slurm-%A_%a.out" \
    "$REPO/scripts/slurm/sweep.sbatch" "$WORK/sweep.toml" "$WORK/cluster"
say "array done; merging"
"$GRAPEVINE" merge "$WORK"/cluster/shard-*-of-$TASKS --no-plots
say "running the same sweep locally"
"$GRAPEVINE" sweep "$WORK/sweep.toml" --out "$WORK/local" --quiet --no-plots

sorted() { { head -1 "$1"; tail -n +2 "$1" | sort; } }
result=PASS
if ! diff <(sorted "$WORK/cluster/runs.csv") <(sorted "$WORK/local/runs.csv") >/dev/null; then
    say "runs.csv differs"; result=FAIL
fi
if ! cmp -s "$WORK/cluster/points.csv" "$WORK/local/points.csv"; then
    say "points.csv differs"; result=FAIL
fi
rows=$(( $(wc -l < "$WORK/cluster/runs.csv") - 1 ))
for f in "$WORK"/slurm-*.out; do say "$(basename "$f"): $(head -1 "$f")"; done
echo "$result: $rows runs from $TASKS Slurm array tasks, merged, equal to the local sweep"
[ "$result" = PASS ]
