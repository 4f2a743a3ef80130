#!/usr/bin/python3
"""brian2_bench.py — soma's benchmark networks (nets/nets.c) built in Brian2, for comparison.

usage: /usr/bin/python3 bench/peers/brian2_bench.py NAME [--time S] [--seed N] [--scale X]
           [--mode standalone|runtime] [--delay-ms D] [--refractory-ms R] [--build-dir DIR]
           [--same-net [--soma-lib LIBSOMA]] [--weights-out FILE] [--json]

NAME: coba (Brette et al. 2007 benchmark 1), cuba (benchmark 2), brunel (NEST hpc_benchmark,
static synapses; slow in Brian2: use --scale 0.1), coba_stdp (COBA with pair STDP on E->E, the
plasticity benchmark: see below).

Prints one JSON object (--json) with the fields of `soma bench NAME --json` plus Brian2's own
timings, or a short table. The default mode is C++ standalone without OpenMP (one thread),
built in bench/out/brian2/NAME[-samenet]-standalone (reused between runs: only the files that
change, e.g. main.cpp for another seed, are recompiled; a lock serialises concurrent runs).

By default Brian2 draws its own synapses and initial state with the distributions of nets.c.
--same-net instead builds bench/peers/export_net.c against soma's libsoma.a, exports soma's
network for this seed and scale (every synapse and the initial state of every neuron) and runs
it in soma too, so Brian2 simulates exactly soma's network and the output also tells how long
the two spike trains stay identical (identical_until_ms).

Timing conventions that make the networks the same as soma's (checked neuron by neuron with
bench/peers/single_neuron.py: identical spike times):
  * soma stamps a spike computed in the step [k dt, (k+1) dt] with (k+1) dt, Brian2 with k dt;
    the statistics below use soma's stamps (Brian2 time + dt).
  * a soma synapse of delay d (minimum one step) acts on the step that starts d after the
    stamp; Brian2's delay=d does the same (delay=0 would act one step earlier). So the Brian2
    delay equals soma's: 0.1 ms for COBA/CUBA, 1.5 ms for Brunel.
  * soma clamps V for t_ref/dt steps after the spike step (NEST); Brian2's refractory=R clamps
    R/dt - 1 steps. So refractory = t_ref + dt: 5.1 ms for COBA/CUBA, 0.6 ms for Brunel.

coba_stdp (nets.c build_coba_stdp; sim/rule_stdp.c): COBA with additive all-to-all pair STDP on
E->E only (A+ 0.06 nS, A- 0.063 nS, tau+ = tau- = 20 ms, w in [0, 12] nS from 6 nS): the E->E
synapses are their own Synapses object with event-driven traces apre, apost,
  on_pre:  ge_post += w; w = clip(w - A_minus apost, 0, w_max); apre += 1
  on_post: apost += 1;   w = clip(w + A_plus apre, 0, w_max)
so a spike is transmitted with the weight before its own depression, as in soma. soma's arrival
at step a and postsynaptic spike stamped s run in Brian2 at steps a - 1 and s - 1 (both one
step earlier, so every pairing interval is the same). When they fall on the same step soma
counts the pair as post-before-pre (depression, t_post - t_arrival = 0), and applies the
potentiation of that postsynaptic spike before the arrival: Brian2 runs the pre pathway before
the post pathway (order -1 and 1), so here the post pathway is moved ahead of it (order -2).
The JSON output adds the final E->E weights (nS): w_ee_mean, w_ee_sd (population sd), min,
max, fractions at the bounds, quantiles; --weights-out FILE saves them (float64 .npy, sorted
by pre then post, soma's order).
"""
import argparse
import fcntl
import json
import math
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")   # Debian's pythran/numpy FutureWarnings on import

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DT_MS = 0.1
NETS = ("coba", "cuba", "brunel", "coba_stdp")
STDP = dict(A_plus=0.06, A_minus=0.063, tau_plus=20.0, tau_minus=20.0, w_min=0.0, w_max=12.0,
            w0=6.0)   # nets.c build_coba_stdp: nS, ms


def spike_stats(stamps, ids, n_neurons, s0, s1, bin_steps):
    """Rate, CV of ISIs and population Fano factor exactly as joint/spike_stats.c computes
    them: stamps (integer steps, spike time = stamp * dt) in [s0, s1), ids in [0, n)."""
    import numpy as np
    keep = (stamps >= s0) & (stamps < s1) & (ids >= 0) & (ids < n_neurons)
    st, ii = stamps[keep], ids[keep]
    n = len(st)
    rate = n / n_neurons / ((s1 - s0) * DT_MS * 1e-3)
    order = np.lexsort((st, ii))            # by neuron, then time
    st, ii = st[order], ii[order]
    cvs = []
    if n:
        isi = np.diff(st).astype(float) * DT_MS
        same = ii[1:] == ii[:-1]
        isi, owner = isi[same], ii[1:][same]
        cnt = np.bincount(owner, minlength=n_neurons)
        s = np.bincount(owner, weights=isi, minlength=n_neurons)
        s2 = np.bincount(owner, weights=isi * isi, minlength=n_neurons)
        ok = cnt >= 2                       # >= 3 spikes
        mean = s[ok] / cnt[ok]
        var = np.maximum(s2[ok] / cnt[ok] - mean * mean, 0)
        cvs = np.sqrt(var) / mean
    n_bins = (s1 - s0 + bin_steps - 1) // bin_steps
    pop = np.bincount((st - s0) // bin_steps, minlength=n_bins)[:n_bins].astype(float)
    m1 = pop.mean() if n_bins else 0.0
    fano = float(((pop - m1) ** 2).mean() / m1) if m1 > 0 else float("nan")
    cv = float(np.mean(cvs)) if len(cvs) else float("nan")
    return dict(spikes=n, rate_hz=rate, cv_isi=cv, cv_neurons=len(cvs), sync_fano=fano)


def psp_to_current(tau_m, tau_syn, c_m):
    """pA per mV of peak PSP for an alpha current (nets.c: soma_nets_psp_to_current)."""
    from scipy.special import lambertw
    a = tau_m / tau_syn
    b = 1.0 / tau_syn - 1.0 / tau_m
    t_rise = 1.0 / b * (-lambertw(-math.exp(-1.0 / a) / a, k=-1).real - 1.0 / a)
    v_max = (math.exp(1.0) / (tau_syn * c_m * b) *
             ((math.exp(-t_rise / tau_m) - math.exp(-t_rise / tau_syn)) / b -
              t_rise * math.exp(-t_rise / tau_syn)))
    return 1.0 / v_max


def find_soma_lib(given):
    """libsoma.a: --soma-lib, $SOMA_LIB, the one beside $SOMA, or one in build/."""
    cands = [given, os.environ.get("SOMA_LIB")]
    if os.environ.get("SOMA"):
        cands.append(os.path.join(os.path.dirname(os.path.abspath(os.environ["SOMA"])),
                                  "libsoma.a"))
    cands += [os.path.join(ROOT, d, "libsoma.a") for d in ("build/rel", "build/peer")]
    for c in cands:
        if c and os.path.isfile(c):
            return os.path.abspath(c)
    sys.exit("brian2_bench: --same-net needs soma's libsoma.a (run make, or give --soma-lib)")


def spikes_sha256(stamps, gids):
    """soma bench's spikes_sha256 (app/spike_hash.c): SHA-256 over (stamp, global id) pairs
    as little-endian int64, sorted by stamp then id."""
    import hashlib
    import numpy as np
    order = np.lexsort((gids, stamps))
    pairs = np.empty((len(order), 2), dtype="<i8")
    pairs[:, 0] = stamps[order]
    pairs[:, 1] = gids[order]
    return hashlib.sha256(pairs.tobytes()).hexdigest()


def export_soma_net(name, seed, scale, lib, out_dir, run_ms):
    """Builds bench/peers/export_net.c against lib and writes soma's network (connectivity and
    initial state for this seed) into out_dir, then runs it for run_ms in soma. Returns
    {"pops": {...}, "projs": {...}, "spikes": (stamps, gids)}."""
    import subprocess
    import numpy as np
    exe = os.path.join(out_dir, "export_net")
    base = ["gcc", "-O1", "-std=c11", "-D_GNU_SOURCE", "-I" + ROOT,
            os.path.join(HERE, "export_net.c"), lib, "-fopenmp", "-lgsl", "-lgslcblas",
            "-lnettle", "-lm", "-o", exe]
    r = subprocess.run(base, capture_output=True, text=True)
    if r.returncode:   # a sanitizer build of libsoma.a needs the sanitizer runtime
        r = subprocess.run(base + ["-fsanitize=address,undefined"], capture_output=True, text=True)
    if r.returncode:
        sys.exit("brian2_bench: cannot build export_net against %s:\n%s" % (lib, r.stderr))
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    subprocess.run([exe, name, str(seed), repr(scale), out_dir, repr(run_ms)], check=True, env=env)
    net = {"pops": {}, "projs": {}}
    net["spikes"] = tuple(np.fromfile(os.path.join(out_dir, "spikes.%s.i64" % w), dtype=np.int64)
                          for w in ("stamp", "gid"))
    for line in open(os.path.join(out_dir, "index.txt")):
        f = line.split()
        if f[0] == "pop":
            net["pops"][f[1]] = {}
            for var in ("V_m", "g_ex", "g_in", "I_syn_ex", "I_syn_in"):
                path = os.path.join(out_dir, "%s.%s.f32" % (f[1], var))
                if os.path.exists(path):
                    net["pops"][f[1]][var] = np.fromfile(path, dtype=np.float32).astype(float)
        else:
            net["projs"][f[1]] = tuple(
                np.fromfile(os.path.join(out_dir, "%s.%s.i32" % (f[1], w)), dtype=np.int32)
                for w in ("pre", "post"))
    return net


def build(b2, name, scale, seed, delay_ms, ref_ms, same=None, method=None):
    """Creates the network in Brian2's magic-free API; with same (export_soma_net's result)
    soma's exact connectivity and initial state. Returns (objects, info)."""
    import numpy as np
    from brian2 import (NeuronGroup, Synapses, PoissonInput, SpikeMonitor, ms, mV, nS, pA, pF)
    ne, ni = int(round(3200 * scale)), int(round(800 * scale))
    if name == "brunel":
        ne, ni = int(round(9000 * scale)), int(round(2250 * scale))
    n = ne + ni
    info = dict(ne=ne, ni=ni, presim_ms=0.0)
    if name in ("coba", "coba_stdp"):
        ns = dict(C=200 * pF, gl=10 * nS, El=-60 * mV, Vt=-50 * mV, Vr=-60 * mV, Ee=0 * mV,
                  Ei=-80 * mV, taue=5 * ms, taui=10 * ms, we=6 * nS, wi=67 * nS)
        eqs = """dv/dt = (gl*(El-v) + ge*(Ee-v) + gi*(Ei-v))/C : volt (unless refractory)
                 dge/dt = -ge/taue : siemens
                 dgi/dt = -gi/taui : siemens"""
        P = NeuronGroup(n, eqs, threshold="v>Vt", reset="v = Vr", refractory=ref_ms * ms,
                        method=method or "exponential_euler", namespace=ns, name="P")
        if same is None:
            P.v = "-65*mV + 5*mV*randn()"
            P.ge = "40*nS + 15*nS*randn()"
            P.gi = "200*nS + 120*nS*randn()"
        info["method"] = method or "exponential_euler"
        on = ("ge += we", "gi += wi")
    elif name == "cuba":
        ns = dict(taum=20 * ms, El=-49 * mV, Vt=-50 * mV, Vr=-60 * mV, taue=5 * ms,
                  taui=10 * ms, we=1.62 * mV, wi=-9 * mV)
        eqs = """dv/dt = (ge+gi-(v-El))/taum : volt (unless refractory)
                 dge/dt = -ge/taue : volt
                 dgi/dt = -gi/taui : volt"""
        P = NeuronGroup(n, eqs, threshold="v>Vt", reset="v = Vr", refractory=ref_ms * ms,
                        method="exact", namespace=ns, name="P")
        if same is None:
            P.v = "Vr + rand()*(Vt - Vr)"
        info["method"] = "exact"
        on = ("ge += we", "gi += wi")
    else:
        tau_syn, tau_m, c_m, v_th = 0.32582722403722841, 10.0, 250.0, 20.0
        ce, ci = 9000, 2250
        je = psp_to_current(tau_m, tau_syn, c_m) * 0.14
        nu_th = v_th / (ce * tau_m / c_m * je * math.e * tau_syn)
        ns = dict(taum=tau_m * ms, taus=tau_syn * ms, C=c_m * pF, El=0 * mV, Vt=v_th * mV,
                  Vr=0 * mV, Jx=je * math.e * pA, Jix=-5 * je * math.e * pA)
        # alpha current: x jumps by J e, I = J e (t/tau) exp(-t/tau) peaks at J (NEST/soma);
        # E and I inputs share tau_syn, so one (x, I) pair carries both
        eqs = """dv/dt = -(v-El)/taum + I/C : volt (unless refractory)
                 dI/dt = (x - I)/taus : amp
                 dx/dt = -x/taus : amp"""
        P = NeuronGroup(n, eqs, threshold="v>Vt", reset="v = Vr", refractory=ref_ms * ms,
                        method="exact", namespace=ns, name="P")
        P.v = 5.7 * mV
        rate_each = 1.685 * nu_th * 1000.0   # Hz per source; soma: one source of ce times it
        pin = PoissonInput(P, "x", ce, rate_each * b2.Hz, weight="Jx")
        info.update(method="exact", presim_ms=100.0, je_pA=je, poisson_rate_hz=rate_each * ce)
        on = ("x += Jx", "x += Jix")
    if name == "coba_stdp":
        # E->E plastic (soma's first projection), E->I static
        sns = dict(ns, taupre=STDP["tau_plus"] * ms, taupost=STDP["tau_minus"] * ms,
                   Aplus=STDP["A_plus"] * nS, Aminus=STDP["A_minus"] * nS,
                   wmin=STDP["w_min"] * nS, wmax=STDP["w_max"] * nS)
        See = Synapses(P[:ne], P[:ne], model="""w : siemens
                           dapre/dt = -apre/taupre : 1 (event-driven)
                           dapost/dt = -apost/taupost : 1 (event-driven)""",
                       on_pre="""ge_post += w
                                 w = clip(w - Aminus*apost, wmin, wmax)
                                 apre += 1""",
                       on_post="""apost += 1
                                  w = clip(w + Aplus*apre, wmin, wmax)""",
                       delay=delay_ms * ms, namespace=sns, name="See")
        See.post.order = -2   # before the pre pathways (-1): soma's order within a step
        Cei = Synapses(P[:ne], P[ne:], on_pre=on[0], delay=delay_ms * ms, namespace=ns,
                       name="Cei")
        ces = [See, Cei]
    else:
        Ce = Synapses(P[:ne], P, on_pre=on[0], delay=delay_ms * ms, namespace=ns, name="Ce")
        ces = [Ce]
    Ci = Synapses(P[ne:], P, on_pre=on[1], delay=delay_ms * ms, namespace=ns, name="Ci")
    cat = np.concatenate
    if same is not None:
        E, I = same["pops"]["E"], same["pops"]["I"]
        pr = same["projs"]
        if name in ("coba", "coba_stdp"):
            P.ge = cat([E["g_ex"], I["g_ex"]]) * nS
            P.gi = cat([E["g_in"], I["g_in"]]) * nS
        elif name == "cuba":   # I (pA) -> ge (mV): ge/taum = I/C, taum/C = 0.1 mV/pA
            P.ge = cat([E["I_syn_ex"], I["I_syn_ex"]]) * 0.1 * mV
            P.gi = cat([E["I_syn_in"], I["I_syn_in"]]) * 0.1 * mV
        P.v = cat([E["V_m"], I["V_m"]]) * mV
        if name == "coba_stdp":
            See.connect(i=pr["E-E"][0], j=pr["E-E"][1])
            Cei.connect(i=pr["E-I"][0], j=pr["E-I"][1])
        else:
            Ce.connect(i=cat([pr["E-E"][0], pr["E-I"][0]]),
                       j=cat([pr["E-E"][1], pr["E-I"][1] + ne]))
        Ci.connect(i=cat([pr["I-E"][0], pr["I-I"][0]]),
                   j=cat([pr["I-E"][1], pr["I-I"][1] + ne]))
    elif name == "brunel":
        # fixed in-degree with multapses: every target draws ce E and ci I sources; no
        # autapses, as soma's nets.c (soma_conn defaults; NEST's hpc_benchmark allows them)
        rng = np.random.default_rng(seed)
        for syn, k, lo, m in ((Ce, ce, 0, ne), (Ci, ci, ne, ni)):
            post = np.repeat(np.arange(n, dtype=np.int32), k)
            own = post - lo                       # target's index in the source population
            inside = (own >= 0) & (own < m)
            pre = rng.integers(0, m - 1, size=n * k, dtype=np.int32)
            pre_all = rng.integers(0, m, size=n * k, dtype=np.int32)
            pre = np.where(inside, pre + (pre >= own), pre_all).astype(np.int32)
            syn.connect(i=pre, j=post)
    else:
        p = min(0.02 / scale, 1.0)
        for c in ces:      # self-connections allowed, as in the reference
            c.connect(p=p)
        Ci.connect(p=p)
    info["network_from"] = ("soma's own (export_net: same synapses and initial state)"
                            if same is not None else "brian2's own random draws")
    if name == "coba_stdp":
        See.w = STDP["w0"] * nS
        info["stdp"] = dict(STDP, pairing="all-to-all", additive=True, post_pathway_order=-2)
    sm = SpikeMonitor(P, name="sm")
    info.update(ce=ces, ci=Ci, sm=sm)
    objs = [P] + ces + [Ci, sm]
    if name == "brunel":
        objs.append(pin)
    return objs, info


def main():
    ap = argparse.ArgumentParser(
        description="Runs one of soma's benchmark networks in Brian2 and prints its speed and "
                    "activity like `soma bench`.")
    ap.add_argument("name", choices=NETS)
    ap.add_argument("--time", type=float, default=1.0, help="biological seconds (default 1)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply neuron counts (default 1)")
    ap.add_argument("--mode", choices=("standalone", "runtime"), default="standalone")
    ap.add_argument("--delay-ms", type=float, default=None,
                    help="synaptic delay (default: soma's, 0.1 ms; 1.5 ms for brunel)")
    ap.add_argument("--refractory-ms", type=float, default=None,
                    help="Brian2 refractory period (default: soma's t_ref + dt: 5.1 ms; "
                         "0.6 ms for brunel)")
    ap.add_argument("--build-dir", default=None,
                    help="standalone project directory (default bench/out/brian2/NAME-standalone)")
    ap.add_argument("--same-net", action="store_true",
                    help="simulate soma's exact network for this seed and scale (synapses and "
                         "initial state exported through libsoma.a) instead of Brian2's draws")
    ap.add_argument("--soma-lib", default=None,
                    help="libsoma.a for --same-net (default: $SOMA_LIB, beside $SOMA, build/)")
    ap.add_argument("--method", choices=("exponential_euler", "euler"), default=None,
                    help="COBA integrator (default exponential_euler, as soma's lif_cond; "
                         "euler is the Brette et al. 2007 reference script's)")
    ap.add_argument("--weights-out", default=None,
                    help="coba_stdp: save the final E->E weights (nS, float64 .npy, by pre then "
                         "post) to this file")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    a = ap.parse_args()
    if not (a.time > 0) or not (a.scale > 0):
        ap.error("--time and --scale must be > 0")
    delay = a.delay_ms if a.delay_ms is not None else (1.5 if a.name == "brunel" else DT_MS)
    ref = a.refractory_ms if a.refractory_ms is not None else (
        0.5 + DT_MS if a.name == "brunel" else 5.0 + DT_MS)

    t_start = time.perf_counter()
    try:
        import numpy as np
        import brian2 as b2
    except ImportError as e:
        sys.exit("brian2_bench: /usr/bin/python3 cannot import brian2 (%s): run `make deps` "
                 "(installs Debian's python3-brian)" % e)
    from brian2 import prefs, ms, defaultclock, Network, device, set_device
    prefs.logging.file_log = False
    prefs.logging.console_log_level = "ERROR"
    b2.BrianLogger.log_level_error()
    defaultclock.dt = DT_MS * ms
    lock = None
    if a.mode == "standalone":
        bdir = a.build_dir or os.path.join(ROOT, "bench", "out", "brian2",
                                           "%s%s%s-standalone" % (a.name, "-samenet" if a.same_net else "",
                                                                    "-" + a.method if a.method else ""))
        os.makedirs(bdir, exist_ok=True)
        lock = open(os.path.join(bdir, ".lock"), "w")
        fcntl.flock(lock, fcntl.LOCK_EX)    # one run at a time per project directory
        set_device("cpp_standalone", directory=bdir, build_on_run=False)
        prefs.devices.cpp_standalone.openmp_threads = 0
        prefs.devices.cpp_standalone.extra_make_args_unix = ["-j2"]
    else:
        prefs.codegen.target = "cython"
    b2.seed(a.seed)
    same = None
    if a.same_net:
        import tempfile
        import shutil
        tmp = tempfile.mkdtemp(prefix="soma-export-")
        try:
            run_ms = (100.0 if a.name == "brunel" else 0.0) + round(a.time * 1000 / DT_MS) * DT_MS
            same = export_soma_net(a.name, a.seed, a.scale, find_soma_lib(a.soma_lib), tmp,
                                   run_ms)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if a.method and a.name not in ("coba", "coba_stdp"):
        ap.error("--method applies to coba and coba_stdp only")
    if a.weights_out and a.name != "coba_stdp":
        ap.error("--weights-out applies to coba_stdp only")
    objs, info = build(b2, a.name, a.scale, a.seed, delay, ref, same, a.method)
    ces, Ci, sm = info.pop("ce"), info.pop("ci"), info.pop("sm")
    net = Network(*objs)
    presim = info["presim_ms"]
    steps = int(round(a.time * 1000 / DT_MS))
    pre_steps = int(round(presim / DT_MS))
    if a.mode == "standalone":
        if presim > 0:
            net.run(presim * ms)
        net.run(steps * DT_MS * ms)
        t_build = time.perf_counter()
        device.build(directory=bdir, compile=True, run=True, with_output=False)
        total_build = time.perf_counter() - t_build
        make = device.timers["compile"].get("make") or 0.0
        clean = device.timers["compile"].get("clean") or 0.0
        binary = device.timers["run_binary"]
        sim_wall = float(device._last_run_time)
        codegen = (t_build - t_start) + total_build - make - clean - binary
        timing = dict(codegen_wall_s=round(codegen, 6), compile_wall_s=round(make + clean, 6),
                      binary_wall_s=round(binary, 6))
        note = ("sim_wall_s: Brian2's own measurement of the measured run() inside the "
                "standalone binary (std::clock, process CPU time of the one thread; no OpenMP). "
                "setup_wall_s: Python network construction + code generation + C++ compile + "
                "the binary's time outside the run loops (connectivity, initial values, "
                "presimulation, writing results)")
        setup = codegen + make + clean + (binary - sim_wall)
        simulator = "brian2 %s cpp_standalone" % b2.__version__
    else:
        if presim > 0:
            net.run(presim * ms)
        t0 = time.perf_counter()
        net.run(steps * DT_MS * ms)
        sim_wall = time.perf_counter() - t0
        setup = t0 - t_start
        timing = {}
        note = ("runtime mode: sim_wall_s is the wall time of Network.run() in Python, which "
                "includes code generation and (cached) Cython compilation of the code objects")
        simulator = "brian2 %s runtime cython" % b2.__version__

    ne, ni = info["ne"], info["ni"]
    n = ne + ni
    t_sp = np.asarray(sm.t_[:], dtype=float)
    i_sp = np.asarray(sm.i[:], dtype=np.int64)
    stamps = np.rint(t_sp / (DT_MS * 1e-3)).astype(np.int64) + 1   # soma's stamps
    s0, s1 = pre_steps + 1, pre_steps + steps + 1
    bin_steps = max(1, int(round(1.0 / DT_MS)))
    se = spike_stats(stamps, i_sp, ne, s0, s1, bin_steps)
    si = spike_stats(stamps, i_sp - ne, ni, s0, s1, bin_steps)
    ce_i = np.concatenate([np.asarray(c.i[:], dtype=np.int64) for c in ces])
    ci_i = np.asarray(Ci.i[:], dtype=np.int64)
    outdeg = np.concatenate([np.bincount(ce_i, minlength=ne), np.bincount(ci_i, minlength=ni)])
    win = (stamps >= s0) & (stamps < s1)
    events = int(outdeg[i_sp[win]].sum())
    sha = spikes_sha256(stamps[win], i_sp[win])
    extra = {}
    if same is not None:
        # where Brian2's spike trains first differ from soma's on the same network
        ss, sg = same["spikes"]
        o = np.lexsort((i_sp, stamps))
        bs, bg = stamps[o], i_sp[o]
        m = min(len(ss), len(bs))
        diff = np.nonzero((ss[:m] != bs[:m]) | (sg[:m] != bg[:m]))[0]
        if len(diff):
            first = int(min(ss[diff[0]], bs[diff[0]]))
        elif len(ss) != len(bs):
            first = int(bs[m] if len(bs) > m else ss[m])
        else:
            first = None
        extra = {"identical_to_soma": first is None,
                 "identical_until_ms": round((first - 1) * DT_MS, 1) if first is not None
                 else round((pre_steps + steps) * DT_MS, 1),
                 "soma_spikes": int(np.count_nonzero((ss >= s0) & (ss < s1)))}
    if a.name == "coba_stdp":
        See = ces[0]
        order = np.lexsort((np.asarray(See.j[:]), np.asarray(See.i[:])))   # by pre, then post
        w = np.asarray(See.w_[:], dtype=float)[order] * 1e9                # nS
        wmax = STDP["w_max"]
        extra.update({
            "w_ee_n": int(len(w)), "w_ee_mean": float(w.mean()), "w_ee_sd": float(w.std()),
            "w_ee_min": float(w.min()), "w_ee_max": float(w.max()),
            "w_ee_frac_zero": float(np.mean(w <= STDP["w_min"])),
            "w_ee_frac_max": float(np.mean(w >= wmax)),
            "w_ee_q10": float(np.quantile(w, 0.1)), "w_ee_q50": float(np.quantile(w, 0.5)),
            "w_ee_q90": float(np.quantile(w, 0.9)), "stdp": info["stdp"]})
        if a.weights_out:
            np.save(a.weights_out, w)
    cvn = se["cv_neurons"] + si["cv_neurons"]
    cv = ((se["cv_isi"] * se["cv_neurons"] if se["cv_neurons"] else 0) +
          (si["cv_isi"] * si["cv_neurons"] if si["cv_neurons"] else 0)) / cvn if cvn else None
    fano = (se["sync_fano"] * ne + si["sync_fano"] * ni) / n
    bio = steps * DT_MS * 1e-3

    def num(x, nd):
        return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else round(x, nd)

    out = {
        "network": a.name, "scale": a.scale, "neurons": n, "synapses": int(len(ce_i) + len(ci_i)),
        "bio_time_s": bio, "dt_ms": DT_MS, "threads": 1, "seed": a.seed,
        "setup_wall_s": round(setup, 6), "sim_wall_s": round(sim_wall, 6),
        "wall_per_bio_s": round(sim_wall / bio, 6), "spikes": se["spikes"] + si["spikes"],
        "synaptic_events": events,
        "events_per_s": float("%.6g" % (events / sim_wall)) if sim_wall > 0 else None,
        "rate_exc_hz": num(se["rate_hz"], 4), "rate_inh_hz": num(si["rate_hz"], 4),
        "cv_isi": num(cv, 4), "sync_fano": num(fano, 4), "spikes_sha256": sha,
        "simulator": simulator, "mode": a.mode, "method": info["method"], "delay_ms": delay,
        "refractory_ms": ref, "network_from": info["network_from"], "timing_note": note,
    }
    out.update(timing)
    out.update(extra)
    if a.json:
        print(json.dumps(out))
    else:
        print("%s in %s (delay %g ms, refractory %g ms, method %s)" % (
            a.name, simulator, delay, ref, info["method"]))
        print("  neurons %d, synapses %d, seed %d" % (n, out["synapses"], a.seed))
        print("  setup %.3f s; simulated %g s in %.3f s (%.4f s per biological second)" % (
            setup, bio, sim_wall, sim_wall / bio))
        print("  spikes %d, synaptic events %d" % (out["spikes"], events))
        print("  rates: E %.2f Hz, I %.2f Hz; CV of ISI %s; population Fano %.2f (E) %.2f (I)" % (
            se["rate_hz"], si["rate_hz"], out["cv_isi"], se["sync_fano"], si["sync_fano"]))
        print("  spikes sha256 %s" % sha)
        for k, v in timing.items():
            print("  %s %.3f" % (k, v))
        if "w_ee_mean" in extra:
            print("  final E->E weights: mean %.4f nS, sd %.4f nS, %.4f%% at 0, %.4f%% at %g" % (
                extra["w_ee_mean"], extra["w_ee_sd"], 100 * extra["w_ee_frac_zero"],
                100 * extra["w_ee_frac_max"], STDP["w_max"]))
        if "identical_to_soma" in extra:
            print("  same network as soma: spike trains %s" % (
                "identical" if extra["identical_to_soma"] else
                "identical until %.1f ms" % extra["identical_until_ms"]))
    if lock:
        lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
