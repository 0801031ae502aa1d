#!/usr/bin/env python3
"""Side-by-side timing of Grapevine and peer tools on one bond-percolation (discrete SIR) run.

    peers.py run TOOL --edges FILE --n N --T T --reps R --seeds K --out RESULTS.jsonl [...]
    peers.py report RESULTS.jsonl --n N --m M --T T

TOOL is one of
  eon-discrete  EoN.basic_discrete_SIR(G, T, initial_infecteds=...)
  eon-fast      EoN.fast_SIR(G, tau=T/(1-T), gamma=1, initial_infecteds=...)
  ndlib-ic      NDlib IndependentCascadesModel, threshold T on every edge
  ndlib-sir     NDlib SIRModel, beta=T, gamma=1 (recover after one iteration)
  grapevine     target/release/grapevine run (timed from outside, see below)

Python tools: the graph is read and built as a networkx Graph once per process (not timed);
each repetition draws K distinct random initial infected nodes and only the simulation call
(for NDlib: the loop of model.iteration() until no node is infected) is timed. Building the
NDlib model and its configuration is timed separately as "setup" and is not in the per-run time.

Grapevine: its output gives no timing, so for each repetition i we time
`grapevine run SCENARIO --replicates 1` (t1) and `--replicates 11` (t11), with the same
thread count, and take (t11 - t1) / 10 as the time of one simulation run and t1 - that as
load + setup (reading the edge list, building the population, writing outputs). Final sizes
come from the 11 runs of each `--replicates 11` invocation (summary.json runs[*].final_believers).

Each repetition appends one JSON line to RESULTS.jsonl.
"""
import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def append(out: str, rec: dict) -> None:
    with open(out, "a") as f:
        f.write(json.dumps(rec) + "\n")


# --------------------------------------------------------------------------- python peers

def load_graph(path: str, n: int):
    import networkx as nx
    import numpy as np

    t0 = time.perf_counter()
    with open(path) as f:
        first = f.readline()
        rest = f.read()
    toks = rest.split()
    if not first.split()[0].lstrip("-").isdigit():
        first = ""
    arr = np.array(first.split() + toks, dtype=np.int64).reshape(-1, 2)
    del toks, rest
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(arr.tolist())
    del arr
    t = time.perf_counter() - t0
    log(f"graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges, built in {t:.1f} s")
    return G, t


def run_python(args) -> None:
    import numpy as np

    G, load_s = load_graph(args.edges, args.n)
    T = args.T
    base = dict(tool=args.tool, n=args.n, m=G.number_of_edges(), T=T, seeds=args.seeds,
                load_s=load_s)

    ic_config = None
    if args.tool == "ndlib-ic":
        import ndlib.models.ModelConfig as mc
        t0 = time.perf_counter()
        ic_config = mc.Configuration()
        # every edge needs its threshold: without one, NDlib's IC uses 1/degree(u)
        ic_config.add_edge_set_configuration("threshold", {e: T for e in G.edges()})
        log(f"ndlib-ic: edge thresholds configured in {time.perf_counter() - t0:.1f} s")

    for rep in range(args.reps):
        rng = np.random.default_rng(args.rng_seed + rep)
        init = [int(x) for x in rng.choice(args.n, size=args.seeds, replace=False)]
        setup_s = 0.0
        iterations = None
        if args.tool == "eon-discrete":
            import EoN
            t0, c0 = time.perf_counter(), time.process_time()
            t, S, I, R = EoN.basic_discrete_SIR(G, T, initial_infecteds=init, rng=rng)
            sim_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
            final = int(R[-1]) + int(I[-1])
            iterations = len(t) - 1
        elif args.tool == "eon-fast":
            import EoN
            tau, gamma = T / (1.0 - T), 1.0   # per-edge transmissibility tau/(tau+gamma) = T
            t0, c0 = time.perf_counter(), time.process_time()
            t, S, I, R = EoN.fast_SIR(G, tau, gamma, initial_infecteds=init, rng=rng)
            sim_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
            final = int(R[-1]) + int(I[-1])
        elif args.tool in ("ndlib-ic", "ndlib-sir"):
            import ndlib.models.ModelConfig as mc
            import ndlib.models.epidemics as ep
            t0 = time.perf_counter()
            if args.tool == "ndlib-ic":
                model = ep.IndependentCascadesModel(G, seed=args.rng_seed + rep)
                cfg = ic_config
            else:
                model = ep.SIRModel(G, seed=args.rng_seed + rep)
                cfg = mc.Configuration()
                cfg.add_model_parameter("beta", T)
                cfg.add_model_parameter("gamma", 1.0)
            cfg.add_model_initial_configuration("Infected", init)
            model.set_initial_status(cfg)
            if args.tool == "ndlib-ic":
                assert "threshold" in model.params["edges"], "edge thresholds not taken"
            setup_s = time.perf_counter() - t0
            t0, c0 = time.perf_counter(), time.process_time()
            iterations = 0
            while True:
                it = model.iteration(node_status=False)
                counts = it["node_count"]
                if it["iteration"] > 0:
                    iterations += 1
                if counts.get(1, 0) == 0:
                    break
            sim_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
            final = int(counts.get(2, 0))
            del model
        else:
            raise SystemExit(f"unknown tool {args.tool}")
        rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        rec = dict(base, rep=rep, sim_s=sim_s, cpu_s=cpu_s, setup_s=setup_s, rss_gb=rss_gb, final=final,
                   final_frac=final / args.n, iterations=iterations)
        append(args.out, rec)
        log(f"{args.tool} rep {rep}: {sim_s:.2f} s (CPU {cpu_s:.2f} s), final size {final} ({final / args.n:.4f})"
            + (f", setup {setup_s:.1f} s" if setup_s else ""))


# --------------------------------------------------------------------------- grapevine

def run_grapevine(args) -> None:
    big = args.gv_replicates
    for rep in range(args.reps):
        times, cpu, rss = {}, {}, {}
        finals = []
        users = imported = None
        for r in (1, big):
            out_dir = os.path.join(args.work, f"gv-j{args.threads}-rep{rep}-r{r}")
            cmd = [args.grapevine, "run", args.scenario, "--out", out_dir, "--quiet",
                   "--replicates", str(r), "--seed", str(args.rng_seed + rep),
                   "--threads", str(args.threads)]
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            times[r] = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[r] = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
            rss[r] = r1.ru_maxrss / 2**20   # largest child so far (KiB -> GiB)
            with open(os.path.join(out_dir, "summary.json")) as f:
                summary = json.load(f)
            runs = summary["runs"]
            assert len(runs) == r, f"expected {r} runs in summary, found {len(runs)}"
            if r == big:
                finals = [int(x["final_believers"]) for x in runs]
                users = find_users(summary)
                imported = summary.get("import")
        sim_s = (times[big] - times[1]) / (big - 1)
        cpu_s = (cpu[big] - cpu[1]) / (big - 1)
        rec = dict(tool=f"grapevine -j{args.threads}", n=args.n, T=args.T, seeds=args.seeds,
                   rep=rep, t1=times[1], tbig=times[big], cpu1=cpu[1], cpubig=cpu[big],
                   replicates=big, sim_s=sim_s, cpu_s=cpu_s, rss_gb=max(rss.values()),
                   setup_s=times[1] - sim_s, load_s=times[1] - sim_s,
                   final=statistics.mean(finals), finals=finals,
                   final_frac=statistics.mean(finals) / args.n, users=users,
                   imported=imported)
        append(args.out, rec)
        log(f"grapevine -j{args.threads} rep {rep}: t1 {times[1]:.2f} s, t{big} {times[big]:.2f} s"
            f" -> {sim_s:.2f} s per run (CPU {cpu_s:.2f} s); mean final {statistics.mean(finals):.0f}"
            f" ({statistics.mean(finals) / args.n:.4f}); imported users {users}")


def find_users(summary: dict):
    """The imported population size, if the summary records it somewhere obvious."""
    for key in ("users", "population_users"):
        if isinstance(summary.get(key), int):
            return summary[key]
    pop = summary.get("population")
    if isinstance(pop, dict):
        for key in ("users", "n_users"):
            if isinstance(pop.get(key), int):
                return pop[key]
    return None


# --------------------------------------------------------------------------- report

def theory(cT: float) -> float:
    """Largest root of S = 1 - exp(-cT S) (0 at or below the threshold cT = 1)."""
    if cT <= 1.0:
        return 0.0
    s = 1.0
    for _ in range(10_000):
        s_new = 1.0 - math.exp(-cT * s)
        if abs(s_new - s) < 1e-15:
            break
        s = s_new
    return s


def report(args) -> None:
    recs = [json.loads(line) for line in open(args.results) if line.strip()]
    order = []
    by_tool = {}
    for r in recs:
        if r["tool"] not in by_tool:
            order.append(r["tool"])
            by_tool[r["tool"]] = []
        by_tool[r["tool"]].append(r)
    gv_tool = next((t for t in order if t == "grapevine -j1"), None) or \
        next((t for t in order if t.startswith("grapevine")), None)
    gv_time = statistics.median(r["sim_s"] for r in by_tool[gv_tool]) if gv_tool else None
    gv_cpu = statistics.median(r["cpu_s"] for r in by_tool[gv_tool]) if gv_tool else None

    c = 2.0 * args.m / args.n
    s_theory = theory(c * args.T)
    print()
    print(f"ER G(n, m): n = {args.n}, m = {args.m} (mean degree c = {c:.3f}), T = {args.T}, "
          f"cT = {c * args.T:.3f}")
    print(f"theoretical final size (giant cluster, S = 1 - exp(-cT S)): {s_theory:.5f}")
    print()
    hdr = (f"{'tool':<14} {'runs':>4} {'wall/run s':>10} {'(min..max)':>14} {'CPU/run s':>9} "
           f"{'edges/s':>8} {'infected/s':>10} {'final size':>19} {'- theory':>8} "
           f"{'wall/GV':>7} {'CPU/GV':>6} {'load s':>6} {'setup s':>7} {'RSS GB':>6}")
    print(hdr)
    print("-" * len(hdr))
    for tool in order:
        rs = by_tool[tool]
        times = [r["sim_s"] for r in rs]
        med = statistics.median(times)
        cpu = statistics.median(r["cpu_s"] for r in rs)
        if tool.startswith("grapevine"):
            fracs = [f / args.n for r in rs for f in r["finals"]]
        else:
            fracs = [r["final_frac"] for r in rs]
        mean_f = statistics.mean(fracs)
        se = statistics.stdev(fracs) / math.sqrt(len(fracs)) if len(fracs) > 1 else float("nan")
        inf_s = mean_f * args.n / med if med > 0 else float("inf")
        ratio = med / gv_time if gv_time else float("nan")
        cratio = cpu / gv_cpu if gv_cpu else float("nan")
        load = statistics.median(r.get("load_s", 0.0) for r in rs)
        setup = statistics.median(r.get("setup_s", 0.0) for r in rs)
        setup_col = f"{'-':>7}" if tool.startswith("grapevine") else f"{setup:7.1f}"
        rss = max((r.get("rss_gb") or 0.0) for r in rs)
        rss_col = f"{rss:6.2f}" if rss else f"{'?':>6}"
        print(f"{tool:<14} {len(fracs):>4} {med:10.2f} {min(times):6.2f}..{max(times):6.2f} "
              f"{cpu:9.2f} {args.m / med:8.2g} {inf_s:10.2g} {mean_f:8.5f} ± {se:.5f} "
              f"{mean_f - s_theory:+8.5f} {ratio:7.1f} {cratio:6.1f} {load:6.1f} {setup_col} {rss_col}")
    print()
    print("wall/run: median over repetitions of the wall time of the simulation call alone; CPU/run:")
    print("  the same in CPU time (user + sys; on a shared machine closer to the work done). Graph")
    print("  loading excluded: 'load s' is reading the edge list + building the graph (Grapevine:")
    print("  t(R=1) - time per run, i.e. load + population build + output writing). Grapevine's time")
    print("  per run is (t(R=11) - t(R=1)) / 10 for each repetition. 'setup s': NDlib model")
    print("  construction and configuration, not in the per-run time. edges/s = m / wall time;")
    print("  infected/s = mean final size / wall time. final size: mean fraction of the n nodes ever")
    print("  infected (Grapevine: final_believers / n) ± standard error over runs (Grapevine: all")
    print(f"  replicates of its R=11 invocations). wall/GV, CPU/GV: ratios to {gv_tool}. RSS GB:")
    print("  peak resident memory of the process (Python: graph + model; Grapevine: largest of its")
    print("  R=1 / R=11 invocations, all replicates of a wave in memory at once).")


# --------------------------------------------------------------------------- main

def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("tool", choices=["eon-discrete", "eon-fast", "ndlib-ic", "ndlib-sir", "grapevine"])
    r.add_argument("--edges")
    r.add_argument("--n", type=int, required=True)
    r.add_argument("--T", type=float, required=True)
    r.add_argument("--reps", type=int, default=3)
    r.add_argument("--seeds", type=int, default=10)
    r.add_argument("--rng-seed", type=int, default=1)
    r.add_argument("--out", required=True)
    r.add_argument("--grapevine")
    r.add_argument("--scenario")
    r.add_argument("--threads", type=int, default=1)
    r.add_argument("--gv-replicates", type=int, default=11)
    r.add_argument("--work", default=".")
    q = sub.add_parser("report")
    q.add_argument("results")
    q.add_argument("--n", type=int, required=True)
    q.add_argument("--m", type=int, required=True)
    q.add_argument("--T", type=float, required=True)
    args = p.parse_args()
    if args.cmd == "report":
        report(args)
    elif args.tool == "grapevine":
        run_grapevine(args)
    else:
        run_python(args)


if __name__ == "__main__":
    main()
