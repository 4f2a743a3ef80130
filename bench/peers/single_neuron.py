#!/usr/bin/python3
"""Single-neuron equivalence check between soma and Brian2.

Runs one neuron with the COBA (lif_cond), CUBA (lif) or Brunel (lif_alpha) parameters of
nets/nets.c in soma (bench/peers/single_neuron.c, compiled against libsoma.a) and in Brian2
(runtime, numpy target), driven by a constant current and/or by input spikes, and compares
spike times and membrane-potential traces; then Brunel's Poisson drive (mean and SD of V).
Unless --quick it also shows what the naive Brian2 settings do: refractory = t_ref instead of
t_ref + dt, delay one step shorter. Exit status 0 when the equivalent settings give identical
spike times and V within 1e-3 mV.

usage: /usr/bin/python3 bench/peers/single_neuron.py [--lib LIBSOMA] [--time MS] [--quick]

Time conventions (dt = 0.1 ms): soma stamps a spike computed in step k with (k+1)*dt, Brian2
with k*dt, so soma stamp = Brian2 spike time + dt. A soma state sample stamped T and a Brian2
StateMonitor sample at T (when='start') both hold the state after T/dt steps.
"""
import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def build_soma(lib, out_dir):
    exe = os.path.join(out_dir, "single_neuron")
    cmd = ["gcc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-I" + ROOT,
           os.path.join(HERE, "single_neuron.c"), lib, "-fopenmp", "-lgsl", "-lgslcblas",
           "-lnettle", "-lm", "-o", exe]
    if subprocess.run(cmd, capture_output=True).returncode:   # sanitizer build of libsoma.a
        subprocess.run(cmd + ["-fsanitize=address,undefined"], check=True)
    return exe


def run_soma(exe, model, t_ms, ie, tref, v0, inputs, extra=()):
    text = "".join("%s %.1f\n" % (k, t) for k, t in inputs)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    out = subprocess.run([exe, model, str(t_ms), str(ie), str(tref), str(v0)] + list(extra),
                         input=text, capture_output=True, text=True, check=True, env=env).stdout
    spikes, v = [], {}
    for line in out.splitlines():
        f = line.split()
        if f[0] == "S":
            spikes.append(round(float(f[1]), 1))
        else:
            v[round(float(f[1]), 1)] = float(f[2])
    return spikes, v


def run_brian(model, t_ms, ie, tref, v0, inputs, delay_ms, threshold="v>Vt", v_th=None,
              poisson_hz=None):
    import numpy as np
    from brian2 import (NeuronGroup, SpikeGeneratorGroup, Synapses, SpikeMonitor, StateMonitor,
                        PoissonInput, Network, defaultclock, ms, mV, nS, pA, pF, Hz, prefs)
    prefs.codegen.target = "numpy"
    prefs.logging.file_log = False
    defaultclock.dt = 0.1 * ms
    if model == "cond":
        ns = dict(C=200 * pF, gl=10 * nS, El=-60 * mV, Vt=-50 * mV, Vr=-60 * mV, Ee=0 * mV,
                  Ei=-80 * mV, taue=5 * ms, taui=10 * ms, Ie=ie * pA, we=6 * nS, wi=67 * nS)
        eqs = """dv/dt = (gl*(El-v) + ge*(Ee-v) + gi*(Ei-v) + Ie)/C : volt (unless refractory)
                 dge/dt = -ge/taue : siemens
                 dgi/dt = -gi/taui : siemens"""
        method = "exponential_euler"
    elif model == "alpha":
        sys.path.insert(0, HERE)
        from brian2_bench import psp_to_current
        tau_s = 0.32582722403722841
        je = psp_to_current(10.0, tau_s, 250.0) * 0.14
        ns = dict(C=250 * pF, taum=10 * ms, taus=tau_s * ms, El=0 * mV, Vt=20 * mV, Vr=0 * mV,
                  Ie=ie * pA, we=je * math.e * pA, wi=-5 * je * math.e * pA)
        eqs = """dv/dt = -(v-El)/taum + (I + Ie)/C : volt (unless refractory)
                 dI/dt = (ge - I)/taus : amp
                 dge/dt = -ge/taus : amp
                 gi : amp"""
        method = "exact"
    else:
        ns = dict(C=200 * pF, taum=20 * ms, El=-49 * mV, Vt=-50 * mV, Vr=-60 * mV,
                  taue=5 * ms, taui=10 * ms, Ie=ie * pA, we=1.62 * mV, wi=-9 * mV)
        eqs = """dv/dt = (ge+gi-(v-El))/taum + Ie/C : volt (unless refractory)
                 dge/dt = -ge/taue : volt
                 dgi/dt = -gi/taui : volt"""
        method = "exact"
    if v_th is not None:
        ns["Vt"] = v_th * mV
    n = NeuronGroup(1, eqs, threshold=threshold, reset="v = Vr", refractory=tref * ms,
                    method=method, namespace=ns)
    n.v = v0 * mV
    objs = [n]
    for kind, w in (("e", "ge += we"), ("i", "ge += wi" if model == "alpha" else "gi += wi")):
        # soma source spike stamped T is emitted by step T/dt - 1, Brian2 time T - dt
        times = [round(t - 0.1, 1) for k, t in inputs if k == kind]
        if not times:
            continue
        g = SpikeGeneratorGroup(1, np.zeros(len(times), dtype=int), np.array(times) * ms)
        s = Synapses(g, n, on_pre=w, delay=delay_ms * ms, namespace=ns)
        s.connect()
        objs += [g, s]
    if poisson_hz:
        objs.append(PoissonInput(n, "ge", 1000, poisson_hz / 1000 * Hz, weight="we"))
    sm = SpikeMonitor(n)
    vm = StateMonitor(n, "v", record=0)
    net = Network(objs + [sm, vm])
    net.run(t_ms * ms, namespace=ns)
    spikes = [round(float(t / ms) + 0.1, 1) for t in sm.t]   # as soma stamps
    v = {round(float(t / ms), 1): float(x / mV) for t, x in zip(vm.t, vm.v[0])}
    return spikes, v


def compare(name, soma, brian):
    s_sp, s_v = soma
    b_sp, b_v = brian
    common = sorted(set(s_v) & set(b_v))
    dv = max(abs(s_v[t] - b_v[t]) for t in common)
    same = s_sp == b_sp
    first = next((k for k in range(min(len(s_sp), len(b_sp))) if s_sp[k] != b_sp[k]), None)
    print("%-46s soma %4d spikes, brian2 %4d spikes, identical %-5s max|dV| %.2e mV%s" % (
        name, len(s_sp), len(b_sp), same, dv,
        "" if first is None else "; first differs: soma %.1f vs brian2 %.1f ms" % (
            s_sp[first], b_sp[first])))
    return same, dv


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--lib", default=None,
                    help="libsoma.a (default: $SOMA_LIB, beside $SOMA, else build/rel or build/peer)")
    ap.add_argument("--time", type=float, default=1000.0, help="ms (default 1000)")
    ap.add_argument("--quick", action="store_true",
                    help="only the soma-equivalent Brian2 settings, no Poisson-drive statistics")
    a = ap.parse_args()
    import numpy as np
    sys.path.insert(0, HERE)
    from brian2_bench import find_soma_lib, psp_to_current
    tmp = tempfile.mkdtemp(prefix="soma-single-")
    try:
        exe = build_soma(find_soma_lib(a.lib), tmp)
        return check(a, exe, np, psp_to_current)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check(a, exe, np, psp_to_current):
    rng = np.random.default_rng(7)
    T = a.time
    # input spikes on the 0.1 ms grid: ~400 Hz excitatory, ~100 Hz inhibitory, distinct steps
    steps_e = np.unique(rng.integers(10, int(T * 10) - 20, int(T * 0.4)))
    steps_i = np.unique(rng.integers(10, int(T * 10) - 20, int(T * 0.1)))
    inputs = [("e", s / 10) for s in steps_e] + [("i", s / 10) for s in steps_i]
    # (model, I_e, V0, t_ref soma, input delay, inputs, label); Brian2 gets refractory
    # t_ref + dt and the same delay, then (unless --quick) the naive settings for contrast
    cases = [
        ("cond", 150.0, -60.0, 5.0, 0.1, [], "COBA neuron, I_e = 150 pA"),
        ("psc", 0.0, -60.0, 5.0, 0.1, [], "CUBA neuron, E_L = -49 mV (self-driven)"),
        ("cond", 60.0, -60.0, 5.0, 0.1, inputs, "COBA neuron, I_e = 60 pA + input spikes"),
        ("psc", 40.0, -60.0, 5.0, 0.1, inputs, "CUBA neuron, I_e = 40 pA + input spikes"),
        ("alpha", 520.0, 0.0, 0.5, 1.5, inputs,
         "Brunel neuron (alpha), I_e = 520 pA + input spikes, delay 1.5 ms"),
    ]
    ok = True
    for model, ie, v0, tref, delay, inp, label in cases:
        os.environ["SN_DELAY_MS"] = repr(delay)
        soma = run_soma(exe, model, T, ie, tref, v0, inp)
        print("%s: soma t_ref %g ms, %d input spikes" % (label, tref, len(inp)))
        variants = [(tref + 0.1, delay)]
        if not a.quick:
            variants.append((tref, delay))
            if inp:
                variants.append((tref + 0.1, delay - 0.1))
        for k, (r, d) in enumerate(variants):
            same, dv = compare("  brian2 refractory %.1f ms, delay %.1f ms" % (r, d),
                               soma, run_brian(model, T, ie, r, v0, inp, d))
            if k == 0:
                ok &= same and dv < 1e-3
    if not a.quick:
        # Brunel's external drive: Poisson input statistics (no threshold), long run
        je = psp_to_current(10.0, 0.32582722403722841, 250.0) * 0.14
        rate = 20856.037200898867   # nets.c: 1.685 nu_th CE
        Tp = 20 * T
        _, sv = run_soma(exe, "alpha", Tp, 0.0, 0.5, 0.0, [], ["1e9", repr(rate)])
        _, bv = run_brian("alpha", Tp, 0.0, 0.6, 0.0, [], 0.1, v_th=1e9, poisson_hz=rate)
        sv = np.array([v for t, v in sorted(sv.items()) if t >= 100])
        bv = np.array([v for t, v in sorted(bv.items()) if t >= 100])
        print("Brunel neuron, Poisson drive %.0f Hz x J, %.0f s, no threshold: mean V soma %.4f, "
              "brian2 %.4f mV (theory %.4f); sd soma %.4f, brian2 %.4f mV" % (
                  rate, Tp / 1000, sv.mean(), bv.mean(),
                  rate * 1e-3 * je * math.e * 0.32582722403722841 * 10 / 250, sv.std(),
                  bv.std()))
    print("single-neuron equivalence (Brian2 refractory t_ref + dt, same delay): %s" % (
        "identical spike times, V within 1e-3 mV" if ok else "DIFFERENT"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
