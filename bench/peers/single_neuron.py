#!/usr/bin/python3
"""Single-neuron equivalence check between soma and Brian2.

Runs one neuron with the COBA (lif_cond) or CUBA (lif) parameters of nets/nets.c in soma
(bench/peers/single_neuron.c, compiled against libsoma.a) and in Brian2 (runtime, numpy
target), driven by a constant current and/or by input spikes, and compares spike times and
membrane-potential traces. It also shows what the timing conventions do: Brian2 refractory
5 ms vs 5.1 ms, synaptic delay 0 vs 0.1 ms.

usage: /usr/bin/python3 bench/peers/single_neuron.py [--lib build/peer/libsoma.a]

Time conventions (dt = 0.1 ms): soma stamps a spike computed in step k with (k+1)*dt, Brian2
with k*dt, so soma stamp = Brian2 spike time + dt. A soma state sample stamped T and a Brian2
StateMonitor sample at T (when='start') both hold the state after T/dt steps.
"""
import argparse
import os
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
           os.path.join(HERE, "single_neuron.c"), lib, "-fopenmp", "-lgsl", "-lgslcblas", "-lm",
           "-o", exe]
    subprocess.run(cmd, check=True)
    return exe


def run_soma(exe, model, t_ms, ie, tref, v0, inputs):
    text = "".join("%s %.1f\n" % (k, t) for k, t in inputs)
    out = subprocess.run([exe, model, str(t_ms), str(ie), str(tref), str(v0)], input=text,
                         capture_output=True, text=True, check=True).stdout
    spikes, v = [], {}
    for line in out.splitlines():
        f = line.split()
        if f[0] == "S":
            spikes.append(round(float(f[1]), 1))
        else:
            v[round(float(f[1]), 1)] = float(f[2])
    return spikes, v


def run_brian(model, t_ms, ie, tref, v0, inputs, delay_ms, threshold="v>Vt"):
    import numpy as np
    from brian2 import (NeuronGroup, SpikeGeneratorGroup, Synapses, SpikeMonitor, StateMonitor,
                        Network, defaultclock, ms, mV, nS, pA, pF, prefs)
    prefs.codegen.target = "numpy"
    defaultclock.dt = 0.1 * ms
    if model == "cond":
        ns = dict(C=200 * pF, gl=10 * nS, El=-60 * mV, Vt=-50 * mV, Vr=-60 * mV, Ee=0 * mV,
                  Ei=-80 * mV, taue=5 * ms, taui=10 * ms, Ie=ie * pA, we=6 * nS, wi=67 * nS)
        eqs = """dv/dt = (gl*(El-v) + ge*(Ee-v) + gi*(Ei-v) + Ie)/C : volt (unless refractory)
                 dge/dt = -ge/taue : siemens
                 dgi/dt = -gi/taui : siemens"""
        method = "exponential_euler"
    else:
        ns = dict(C=200 * pF, taum=20 * ms, El=-49 * mV, Vt=-50 * mV, Vr=-60 * mV,
                  taue=5 * ms, taui=10 * ms, Ie=ie * pA, we=1.62 * mV, wi=-9 * mV)
        eqs = """dv/dt = (ge+gi-(v-El))/taum + Ie/C : volt (unless refractory)
                 dge/dt = -ge/taue : volt
                 dgi/dt = -gi/taui : volt"""
        method = "exact"
    n = NeuronGroup(1, eqs, threshold=threshold, reset="v = Vr", refractory=tref * ms,
                    method=method, namespace=ns)
    n.v = v0 * mV
    objs = [n]
    for kind, w in (("e", "ge += we"), ("i", "gi += wi")):
        # soma source spike stamped T is emitted by step T/dt - 1, Brian2 time T - dt
        times = [round(t - 0.1, 1) for k, t in inputs if k == kind]
        if not times:
            continue
        g = SpikeGeneratorGroup(1, np.zeros(len(times), dtype=int), np.array(times) * ms)
        s = Synapses(g, n, on_pre=w, delay=delay_ms * ms, namespace=ns)
        s.connect()
        objs += [g, s]
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
    ap.add_argument("--lib", default=os.path.join(ROOT, "build/peer/libsoma.a"))
    ap.add_argument("--time", type=float, default=1000.0, help="ms (default 1000)")
    a = ap.parse_args()
    import numpy as np
    rng = np.random.default_rng(7)
    tmp = tempfile.mkdtemp(prefix="soma-single-")
    exe = build_soma(a.lib, tmp)
    T = a.time
    # input spikes on the 0.1 ms grid: ~400 Hz excitatory, ~100 Hz inhibitory, distinct steps
    steps_e = np.unique(rng.integers(10, int(T * 10) - 20, int(T * 0.4)))
    steps_i = np.unique(rng.integers(10, int(T * 10) - 20, int(T * 0.1)))
    inputs = [("e", s / 10) for s in steps_e] + [("i", s / 10) for s in steps_i]
    cases = [
        ("cond", 150.0, -60.0, [], "COBA neuron, I_e = 150 pA"),
        ("psc", 0.0, -60.0, [], "CUBA neuron, E_L = -49 mV (self-driven)"),
        ("cond", 60.0, -60.0, inputs, "COBA neuron, I_e = 60 pA + input spikes"),
        ("psc", 40.0, -60.0, inputs, "CUBA neuron, I_e = 40 pA + input spikes"),
    ]
    ok = True
    for model, ie, v0, inp, label in cases:
        soma = run_soma(exe, model, T, ie, 5.0, v0, inp)
        print("%s: soma t_ref 5 ms, %d input spikes" % (label, len(inp)))
        variants = [(5.1, 0.1), (5.0, 0.1)]
        if inp:
            variants.append((5.1, 0.0))
        for tref, delay in variants:
            same, dv = compare("  brian2 refractory %.1f ms, delay %.1f ms" % (tref, delay),
                               soma, run_brian(model, T, ie, tref, v0, inp, delay))
            if (tref, delay) == (5.1, 0.1):
                ok &= same
    print("single-neuron equivalence (refractory 5.1 ms, delay 0.1 ms):",
          "identical spike times" if ok else "DIFFERENT spike times")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
