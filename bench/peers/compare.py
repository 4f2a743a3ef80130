#!/usr/bin/python3
"""compare.py — soma against Brian2 on the benchmark networks (run through compare.sh).

For each network runs `$SOMA bench NAME --json` and bench/peers/brian2_bench.py N times each,
prints a table of activity (rates, CV of ISI, population Fano factor: from the first run; the
runs are deterministic) and speed (median simulation wall time per biological second, ratio
Brian2 / soma), and writes it as markdown to bench/out/peers.md.

coba_stdp (the plasticity benchmark) runs on its own and writes bench/out/peers-stdp.md: each
repeat alternates soma's coba_stdp and coba, Brian2's coba_stdp and coba (so the STDP slowdown
of each simulator is measured in the same session), then soma's final E->E weights come from
scripts/bench/coba.lua --set stdp=true (the same network built in Lua: its spikes_sha256 is checked
against `soma bench coba_stdp`'s), for --seed and for --spread-seeds more seeds (soma's
seed-to-seed spread, the noise against which the two simulators' learning is compared).
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


def write_table(md, head, table, notes):
    """A markdown table of the rows, then the notes as a list."""
    md.write("| " + " | ".join(head) + " |\n")
    md.write("|" + "|".join("---" for _ in head) + "|\n")
    for row in table:
        md.write("| " + " | ".join(row) + " |\n")
    md.write("\n")
    for n in notes:
        md.write("- %s\n" % n)


def run_json(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode:
        sys.exit("compare: %s failed (exit %d):\n%s" % (" ".join(cmd), r.returncode,
                                                        r.stderr[-3000:]))
    return json.loads(r.stdout.strip().splitlines()[-1])


def run_weights(soma, seed, a, out_dir, env):
    """soma's final E->E weights of coba_stdp via scripts/bench/coba.lua --set stdp=true."""
    cmd = [soma, "run", "--quiet", "--out", out_dir, "--seed", str(seed),
           os.path.join(HERE, "..", "..", "scripts", "bench", "coba.lua"), "--set", "stdp=true",
           "--set", "time=%r" % a.time,
           "--set", "scale=%r" % a.scale]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode:
        sys.exit("compare: %s failed (exit %d):\n%s" % (" ".join(cmd), r.returncode,
                                                        r.stderr[-3000:]))
    with open(os.path.join(out_dir, "results.json")) as f:
        return json.load(f)["result"]


def compare_stdp(a, soma, env):
    """coba_stdp against Brian2 (and coba on both, for the STDP slowdown): bench/out/peers-stdp.md"""
    import shutil
    import tempfile
    import numpy as np
    common = ["--time", repr(a.time), "--seed", str(a.seed), "--scale", repr(a.scale), "--json"]
    same = [] if a.own_net else ["--same-net"]
    brian = ["/usr/bin/python3", os.path.join(HERE, "brian2_bench.py")]
    tmp = tempfile.mkdtemp(prefix="soma-stdp-")
    runs = {k: [] for k in ("soma coba_stdp", "soma coba", "brian2 coba_stdp", "brian2 coba")}
    try:
        for k in range(a.repeat):
            for key in runs:
                sim, net = key.split()
                print("compare: run %d/%d: %s" % (k + 1, a.repeat, key), file=sys.stderr)
                if sim == "soma":
                    cmd = [soma, "bench", net] + common
                else:
                    cmd = brian + [net] + common + same
                    if net == "coba_stdp" and k == 0:
                        cmd += ["--weights-out", os.path.join(tmp, "brian2_w_ee.npy")]
                runs[key].append(run_json(cmd, env))
        print("compare: soma's weights (scripts/bench/coba.lua), seed %d" % a.seed, file=sys.stderr)
        w_soma = run_weights(soma, a.seed, a, os.path.join(tmp, "w"), env)
        spread = []
        for s in range(a.seed + 1, a.seed + 1 + a.spread_seeds):
            print("compare: soma's seed-to-seed spread, seed %d" % s, file=sys.stderr)
            spread.append(run_weights(soma, s, a, os.path.join(tmp, "w%d" % s), env))
        ws = np.load(os.path.join(tmp, "w", "w_ee.npy"))
        wb = np.load(os.path.join(tmp, "brian2_w_ee.npy"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    for key, rs in runs.items():
        if len({r["spikes_sha256"] for r in rs}) != 1:
            print("compare: warning: %s runs disagree on spikes" % key, file=sys.stderr)
    s0, b0 = runs["soma coba_stdp"][0], runs["brian2 coba_stdp"][0]
    lua_same = w_soma["spikes_sha256"] == s0["spikes_sha256"]
    if not lua_same:
        print("compare: warning: scripts/bench/coba.lua's spikes differ from soma bench "
              "coba_stdp's: its weights are not those of the benchmark run", file=sys.stderr)
    w_soma_all = dict(w_soma)

    def med(rs):
        v = [r["sim_wall_s"] / r["bio_time_s"] for r in rs]
        return statistics.median(v), min(v), max(v)

    t = {k: med(v) for k, v in runs.items()}
    head = ["network", "simulator", "sim s per bio s, median (min-max)", "STDP slowdown",
            "Brian2/soma", "rate E (Hz)", "rate I (Hz)", "CV ISI", "spikes",
            "w E->E mean (nS)", "w E->E sd (nS)", "w at 0 / at 12"]
    table = []
    for key in ("soma coba", "brian2 coba", "soma coba_stdp", "brian2 coba_stdp"):
        sim, net = key.split()
        r = runs[key][0]
        m, lo, hi = t[key]
        label = ("soma " + r.get("version", "")) if sim == "soma" else r["simulator"]
        slow = "%.2fx" % (m / t[sim + " coba"][0]) if net == "coba_stdp" else ""
        ratio = "%.2fx" % (m / t["soma " + net][0]) if sim == "brian2" else ""
        w = w_soma_all if key == "soma coba_stdp" else r if key == "brian2 coba_stdp" else None
        table.append([net, label, "%.4f (%.4f-%.4f)" % (m, lo, hi), slow, ratio,
                      "%.2f" % r["rate_exc_hz"], "%.2f" % r["rate_inh_hz"],
                      "n/a" if r["cv_isi"] is None else "%.3f" % r["cv_isi"], str(r["spikes"]),
                      "%.4f" % w["w_ee_mean"] if w else "6 (static)",
                      "%.4f" % w["w_ee_sd"] if w else "0",
                      "%.2g%% / %.2g%%" % (100 * w["w_ee_frac_zero"], 100 * w["w_ee_frac_max"])
                      if w else ""])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *table)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))
    print(line(head))
    for row in table:
        print(line(row))

    notes = []
    if "identical_to_soma" in b0:
        notes.append("Brian2 simulates soma's network (its synapses and initial state); the "
                     "coba_stdp spike trains are %s; coba's %s" % (
                         "identical to soma's for the whole run" if b0["identical_to_soma"]
                         else "identical to soma's until %.1f ms" % b0["identical_until_ms"],
                         "identical for the whole run" if runs["brian2 coba"][0].get(
                             "identical_to_soma") else "identical until %.1f ms" %
                         runs["brian2 coba"][0].get("identical_until_ms", float("nan"))))
    else:
        notes.append("Brian2 draws its own network (--own-net): compare statistics only")
    if len(ws) == len(wb) and "identical_to_soma" in b0:
        d = ws - wb
        notes.append("same synapses, final E->E weights synapse by synapse: correlation %.4f, "
                     "mean |soma - Brian2| %.4f nS, max %.3f nS" % (
                         float(np.corrcoef(ws, wb)[0, 1]), float(np.abs(d).mean()),
                         float(np.abs(d).max())))
    qs = ("w_ee_q10", "w_ee_q50", "w_ee_q90", "w_ee_min", "w_ee_max")
    notes.append("E->E weight quantiles 10/50/90%% and min/max (nS): soma %s; Brian2 %s" % (
        " / ".join("%.3f" % w_soma_all[q] for q in qs), " / ".join("%.3f" % b0[q] for q in qs)))
    if spread:
        def sd(k):
            v = [x[k] for x in [w_soma_all] + spread]
            return statistics.mean(v), statistics.stdev(v)
        notes.append("soma's seed-to-seed spread (seeds %d-%d, mean +- sd over seeds): w mean "
                     "%.4f +- %.4f nS, w sd %.4f +- %.4f nS, rate E %.2f +- %.2f Hz, rate I "
                     "%.2f +- %.2f Hz" % ((a.seed, a.seed + a.spread_seeds) + sd("w_ee_mean") +
                                          sd("w_ee_sd") + sd("rate_exc_hz") + sd("rate_inh_hz")))
    notes.append("soma's weights from scripts/bench/coba.lua --set stdp=true (the network built in "
                 "Lua, %s); Brian2's from the first run" % (
                     "same spikes_sha256 as soma bench coba_stdp" if lua_same else
                     "WARNING: spikes differ from soma bench coba_stdp"))
    st = b0.get("stdp", {})
    notes.append("STDP on E->E only: additive, all-to-all pairs, A+ %g nS, A- %g nS, tau+ %g ms, "
                 "tau- %g ms, w in [%g, %g] nS from %g nS; Brian2 delay %g ms, refractory %g ms, "
                 "method %s, post pathway ahead of the pre pathways (soma's order for a "
                 "postsynaptic spike and an arrival at the same step: depression)" % (
                     st.get("A_plus"), st.get("A_minus"), st.get("tau_plus"), st.get("tau_minus"),
                     st.get("w_min"), st.get("w_max"), st.get("w0"), b0["delay_ms"],
                     b0["refractory_ms"], b0["method"]))
    notes.append("end of run: a spike of the last step arrives one step later; Brian2 applies "
                 "its depression inside the run, soma at the start of the next one (not run), "
                 "so the two final weight snapshots differ on the synapses of those neurons")
    for n in notes:
        print("  " + n)
    out = a.out or os.path.join(ROOT, "bench", "out", "peers-stdp.md")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as md:
        md.write("# soma vs Brian2: COBA with STDP on E->E (coba_stdp)\n\n")
        md.write("%s; %d cores; %s. %g s of biological time, seed %d, scale %g, dt 0.1 ms, one "
                 "thread each (soma --threads 1, Brian2 C++ standalone without OpenMP); median "
                 "(min-max) of %d alternating runs of each.\n\n" % (
                     time.strftime("%Y-%m-%d %H:%M"), os.cpu_count(), cpu_model(), a.time,
                     a.seed, a.scale, a.repeat))
        write_table(md, head, table, notes)
        md.write("- STDP slowdown: median coba_stdp / median coba of the same simulator. "
                 "Brian2/soma: Brian2's median over soma's. sim s per bio s: soma's run time; "
                 "Brian2's own measurement of the run loop inside the standalone binary "
                 "(std::clock of its single thread).\n")
        md.write("- Activity and weights from the first run of each (runs are deterministic); "
                 "w sd is the population sd over the %d E->E synapses; w at 0 / at 12: "
                 "fraction of them at the bounds.\n" % len(ws))
    print("compare: wrote %s" % os.path.relpath(out, os.getcwd()), file=sys.stderr)
    return 0


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
                    help="coba, cuba, brunel (default: coba cuba), or coba_stdp on its own")
    ap.add_argument("--time", type=float, default=1.0, help="biological seconds (default 1)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per simulator (default 3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0, help="scale of coba and cuba (default 1)")
    ap.add_argument("--brunel-scale", type=float, default=0.1,
                    help="scale of brunel (default 0.1: 1125 neurons, 12.7 M synapses)")
    ap.add_argument("--own-net", action="store_true",
                    help="let Brian2 draw its own synapses and initial state instead of "
                         "simulating soma's exact network (--same-net of brian2_bench.py)")
    ap.add_argument("--spread-seeds", type=int, default=4,
                    help="coba_stdp: soma's weights for this many more seeds, for the "
                         "seed-to-seed spread (default 4; 0 to skip)")
    ap.add_argument("--out", default=None,
                    help="markdown output (default bench/out/peers.md; bench/out/peers-stdp.md "
                         "for coba_stdp)")
    a = ap.parse_args()
    names = a.names or ["coba", "cuba"]
    for n in names:
        if n not in ("coba", "cuba", "brunel", "coba_stdp"):
            ap.error("unknown network '%s' (networks: coba, cuba, brunel, coba_stdp)" % n)
    if "coba_stdp" in names and len(names) > 1:
        ap.error("coba_stdp runs on its own (it measures coba too, and writes its own table)")
    if a.spread_seeds < 0:
        ap.error("--spread-seeds must be >= 0")
    if a.repeat < 1 or not a.time > 0:
        ap.error("--repeat must be >= 1 and --time > 0")
    soma = os.environ.get("SOMA") or "bin/soma"
    if not os.path.isabs(soma):
        soma = os.path.join(ROOT, soma)
    if not os.access(soma, os.X_OK):
        sys.exit("compare: no soma binary at %s: run make (or set SOMA)" % soma)
    env = dict(os.environ, SOMA=soma)
    if names == ["coba_stdp"]:
        return compare_stdp(a, soma, env)
    a.out = a.out or os.path.join(ROOT, "bench", "out", "peers.md")
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
        write_table(md, head, table, notes)
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
