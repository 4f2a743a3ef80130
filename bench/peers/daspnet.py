#!/usr/bin/python3
"""daspnet.py — Izhikevich (2007) Fig. 1, the distal-reward experiment, as the author's MATLAB
code (ModelDB 84167, daspnet.m) runs it, in numpy: the peer of scripts/distal_reward.lua.

It keeps the original's numerics, which soma's script only approximates: a 1 ms step in which
v takes two 0.5 ms Euler half-steps and u one step; uniform thalamic current 13 (rand - 0.5)
each ms; spikes act in the millisecond they are detected (D = 1); one STDP trace per neuron
(0.1 at a spike, x0.95 per ms) serving as both the pre- and the postsynaptic trace; the
eligibility sd x0.99 and the weights s += (0.002 + DA) sd every 10 ms; DA x0.995 per ms, +0.5
per reward, delivered 1 to 3 s after n2 fires within 20 ms after n1.

  /usr/bin/python3 bench/peers/daspnet.py [--minutes M] [--seed S] [--tau-e MS] [--out FILE]

writes a JSON summary (the same keys as distal_reward.lua's results.json: chosen_weight_final,
chosen_rank, rewards, rates, a 40-bin histogram of the final excitatory weights) to FILE or
stdout, with snapshots of the histogram every 10 simulated minutes. Takes about 20 s of real
time per simulated minute.
"""
import argparse
import json
import sys
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tau-e", type=float, default=None,
                    help="eligibility time constant in ms (default: the original x0.99 per 10 ms)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    Ne, Ni, M, sm = 800, 200, 100, 4.0
    N = Ne + Ni
    a = np.r_[np.full(Ne, 0.02), np.full(Ni, 0.1)]
    d = np.r_[np.full(Ne, 8.0), np.full(Ni, 2.0)]
    post = np.vstack([rng.integers(0, N, (Ne, M)), rng.integers(0, Ne, (Ni, M))])
    s = np.vstack([np.ones((Ne, M)), -np.ones((Ni, M))])
    sd = np.zeros((N, M))
    sd_decay = 0.99 if args.tau_e is None else float(np.exp(-10.0 / args.tau_e))

    # the excitatory synapses onto each neuron (flat indices into s), for LTP at its spikes
    flat_post = post[:Ne].ravel()
    order = np.argsort(flat_post, kind="stable")
    start = np.r_[0, np.cumsum(np.bincount(flat_post, minlength=N))]
    incoming = [order[start[i]:start[i + 1]] for i in range(N)]
    incoming_pre = [k // M for k in incoming]

    # the chosen synapse: a random excitatory -> excitatory one, starting at 0
    cand = np.flatnonzero(flat_post < Ne)
    chosen = int(rng.choice(cand))
    n1, n2 = chosen // M, int(flat_post[chosen])
    s.flat[chosen] = 0.0

    v = np.full(N, -65.0)
    u = 0.2 * v
    cur = np.zeros(N)           # STDP(:, t): the trace after the spikes of the last step
    nxt = np.zeros(N)           # STDP(:, t + 1)
    DA, n1_last, rewards, pending = 0.0, -10**9, 0, []
    steps = int(args.minutes * 60000)
    count = np.zeros(N)
    snapshots, trace = [], []
    t0 = time.time()
    for t in range(1, steps + 1):
        I = 13.0 * (rng.random(N) - 0.5)
        fired = np.flatnonzero(v >= 30)
        if fired.size:
            v[fired] = -65.0
            u[fired] += d[fired]
            nxt[fired] = 0.1
            count[fired] += 1
            for f in fired:
                sd.flat[incoming[f]] += cur[incoming_pre[f]]        # LTP: pre before post
                np.add.at(I, post[f], s[f])                         # delivery, D = 1
                sd[f] -= 1.5 * nxt[post[f]]                         # LTD: post before pre
            if n1 in fired:
                n1_last = t
            if n2 in fired and 0 < t - n1_last < 20:
                pending.append(t + 1000 + int(np.ceil(2000 * rng.random())))
                rewards += 1
        v += 0.5 * ((0.04 * v + 5) * v + 140 - u + I)
        v += 0.5 * ((0.04 * v + 5) * v + 140 - u + I)
        u += a * (0.2 * v - u)
        cur, nxt = nxt, 0.95 * nxt
        DA *= 0.995
        if pending and t in pending:
            DA += 0.5 * pending.count(t)
            pending = [p for p in pending if p != t]
        if t % 10 == 0:
            np.clip(s[:Ne] + (0.002 + DA) * sd[:Ne], 0, sm, out=s[:Ne])
            sd *= sd_decay
        if t % 10000 == 0:
            trace.append([t / 60000, float(s.flat[chosen])])
        if t % 600000 == 0 or t == steps:
            w = s[:Ne].ravel()[flat_post < Ne]
            hist = np.histogram(np.minimum(w, sm - 1e-9), bins=40, range=(0, sm))[0]
            snapshots.append({"minute": t / 60000, "chosen": float(s.flat[chosen]),
                              "rewards": rewards, "histogram": hist.tolist()})
            print(f"{t / 60000:6.1f} min: chosen {s.flat[chosen]:.3f}, {rewards} rewards, "
                  f"{np.sum(w >= 0.9 * sm)} E->E synapses >= 3.6 mV, rates E {count[:Ne].mean() / (t / 1000):.2f} Hz "
                  f"I {count[Ne:].mean() / (t / 1000):.2f} Hz ({time.time() - t0:.0f} s)", file=sys.stderr)
    ee = flat_post < Ne
    w_all = s[:Ne].ravel()
    w = w_all[ee]
    result = {
        "chosen_weight_final": float(w_all[chosen]), "weight_max": sm,
        "chosen_rank": int(1 + np.sum(w > w_all[chosen])), "rewards": rewards,
        "excitatory_synapses": int(ee.sum()), "mean_other_weight": float((w.sum() - w_all[chosen]) / (w.size - 1)),
        "others_near_max": float((np.sum(w >= 0.9 * sm) - (w_all[chosen] >= 0.9 * sm)) / (w.size - 1)),
        "rate_exc_hz": float(count[:Ne].mean() / (steps / 1000)),
        "rate_inh_hz": float(count[Ne:].mean() / (steps / 1000)),
        "histogram": snapshots[-1]["histogram"], "snapshots": snapshots, "trace": trace,
        "seed": args.seed, "minutes": args.minutes,
    }
    text = json.dumps(result, indent=1)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
