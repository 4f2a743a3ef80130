#!/usr/bin/python3
"""compare.py — soma against Brian2 on the benchmark networks (run through compare.sh).

For each network runs `$SOMA bench NAME --json` and bench/peers/brian2_bench.py N times each,
prints a table of activity (rates, CV of ISI, population Fano factor: from the first run; the
runs are deterministic) and speed (median simulation wall time per biological second, ratio
Brian2 / soma), and writes it as markdown to bench/out/peers.md.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run_json(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode:
        sys.exit("compare: %s failed (exit %d):\n%s" % (" ".join(cmd), r.returncode,
                                                        r.stderr[-3000:]))
    return json.loads(r.stdout.strip().splitlines()[-1])


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("names", nargs="*", default=None, metavar="NAME",
                    help="coba, cuba, brunel (default: coba cuba)")
    ap.add_argument("--time", type=float, default=1.0, help="biological seconds (default 1)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per simulator (default 3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0, help="scale of coba and cuba (default 1)")
    ap.add_argument("--brunel-scale", type=float, default=0.1,
                    help="scale of brunel (default 0.1: 1125 neurons, 12.7 M synapses)")
    ap.add_argument("--own-net", action="store_true",
                    help="let Brian2 draw its own synapses and initial state instead of "
                         "simulating soma's exact network (--same-net of brian2_bench.py)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "peers.md"))
    a = ap.parse_args()
    names = a.names or ["coba", "cuba"]
    for n in names:
        if n not in ("coba", "cuba", "brunel"):
            ap.error("unknown network '%s' (networks: coba, cuba, brunel)" % n)
    if a.repeat < 1 or not a.time > 0:
        ap.error("--repeat must be >= 1 and --time > 0")
    soma = os.environ.get("SOMA") or "bin/soma"
    if not os.path.isabs(soma):
        soma = os.path.join(ROOT, soma)
    if not os.access(soma, os.X_OK):
        sys.exit("compare: no soma binary at %s: run make (or set SOMA)" % soma)
    env = dict(os.environ, SOMA=soma)
    rows = []
    for name in names:
        scale = a.brunel_scale if name == "brunel" else a.scale
        common = [name, "--time", repr(a.time), "--seed", str(a.seed), "--scale", repr(scale),
                  "--json"]
        s_runs, b_runs, e_runs = [], [], []
        brian = ["/usr/bin/python3", os.path.join(HERE, "brian2_bench.py")] + common + (
            [] if a.own_net else ["--same-net"])
        for k in range(a.repeat):
            print("compare: %s run %d/%d: soma" % (name, k + 1, a.repeat), file=sys.stderr)
            s_runs.append(run_json([soma, "bench"] + common, env))
            print("compare: %s run %d/%d: brian2" % (name, k + 1, a.repeat), file=sys.stderr)
            b_runs.append(run_json(brian, env))
            if name == "coba":   # also the reference script's integrator, forward Euler
                e_runs.append(run_json(brian + ["--method", "euler"], env))
        rows.append((name, scale, s_runs, b_runs))
        if e_runs:
            rows.append((name, scale, s_runs, e_runs))

    def med(runs, key):
        return statistics.median(r[key] / r["bio_time_s"] for r in runs)

    def f(x, fmt):
        return "n/a" if x is None else fmt % x

    head = ["network", "simulator", "rate E (Hz)", "rate I (Hz)", "CV ISI", "sync Fano",
            "sim s per bio s", "Brian2/soma", "setup s", "spikes"]
    table = []
    shown = set()
    for name, scale, s_runs, b_runs in rows:
        ts, tb = med(s_runs, "sim_wall_s"), med(b_runs, "sim_wall_s")
        pairs = [(b_runs[0]["simulator"] + ", " + b_runs[0]["method"], b_runs, tb, "%.1fx" % (tb / ts))]
        if name not in shown:
            pairs.insert(0, ("soma " + s_runs[0].get("version", ""), s_runs, ts, ""))
            shown.add(name)
        for label, runs, t, ratio in pairs:
            r = runs[0]
            table.append(["%s x%g" % (name, scale), label, f(r["rate_exc_hz"], "%.2f"),
                          f(r["rate_inh_hz"], "%.2f"), f(r["cv_isi"], "%.3f"),
                          f(r["sync_fano"], "%.2f"), "%.4f" % t, ratio,
                          "%.2f" % statistics.median(x["setup_wall_s"] for x in runs),
                          str(r["spikes"])])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *table)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))
    print(line(head))
    for t in table:
        print(line(t))
    notes = []
    for name, scale, s_runs, b_runs in rows:
        if b_runs[0]["method"] == "euler":
            notes.append("%s with euler: the integrator of the Brette et al. 2007 reference script "
                         "(soma integrates lif_cond by exponential Euler); spike trains differ, "
                         "rates comparable" % name)
            continue
        b = b_runs[0]
        same = ("same network as soma (its synapses and initial state), spike trains %s" % (
            "identical to soma's for the whole run" if b.get("identical_to_soma") else
            "identical to soma's until %.1f ms" % b["identical_until_ms"])
            if "identical_to_soma" in b else "Brian2's own random network")
        notes.append("%s: %s; Brian2 delay %g ms, refractory %g ms, method %s" % (
            name, same, b["delay_ms"], b["refractory_ms"], b["method"]))
    for n in notes:
        print("  " + n)

    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as md:
        md.write("# soma vs Brian2\n\n")
        md.write("%s; %d cores; %s. %g s of biological time, seed %d, dt 0.1 ms, one thread "
                 "each (soma --threads 1, Brian2 C++ standalone without OpenMP); median of %d "
                 "runs.\n\n" % (time.strftime("%Y-%m-%d %H:%M"), os.cpu_count(), cpu_model(),
                                a.time, a.seed, a.repeat))
        md.write("| " + " | ".join(head) + " |\n")
        md.write("|" + "|".join("---" for _ in head) + "|\n")
        for t in table:
            md.write("| " + " | ".join(t) + " |\n")
        md.write("\n")
        for n in notes:
            md.write("- %s\n" % n)
        md.write("- sim s per bio s: soma's run time; Brian2's own measurement of the run loop "
                 "inside the standalone binary (std::clock of its single thread). setup: soma's "
                 "network construction; Brian2's code generation, C++ compilation (cached "
                 "between runs) and the binary's time outside the run loop.\n")
        md.write("- Activity from the first run of each (runs are deterministic); CV ISI over "
                 "neurons with >= 3 spikes; sync Fano: variance / mean of population spike "
                 "counts in 1 ms bins, E and I weighted by size.\n")
    print("compare: wrote %s" % os.path.relpath(a.out, os.getcwd()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
