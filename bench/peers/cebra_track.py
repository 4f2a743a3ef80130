#!/usr/bin/env python3
"""cebra_track.py — CEBRA (the peer) on soma's 1-D track, with the settings of
bench/micro_contrastive.c, so both run on identical data. Not run in CI (CEBRA and PyTorch are
not installed there).

    build/rel/bench_contrastive 2000 3 2 1 /tmp/track     # writes /tmp/track/X.npy, position.npy
    python3 bench/peers/cebra_track.py /tmp/track [iterations=2000] [seeds=3]

Prints, per mode (time, behaviour) and seed, the fit's seconds per 1000 iterations, the kNN
(cosine) R² and median error on the last 20 %, and the consistency across seeds — the columns
of micro_contrastive's table. Split and k choice as in tests/joint_track.h: fit on the first
80 %; k from {1, 4, ..., 64} chosen on the last 12.5 % of the training rows (decoder fitted on
the rest); then the test rows decoded from all training rows.
"""
import sys
import time

import numpy as np
import torch
import cebra
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.neighbors import KNeighborsRegressor

torch.set_num_threads(1)


def knn_scores(etr, ytr, ete, yte):
    nfit = len(etr) - len(etr) // 8
    best = None
    for k in [1, 4, 9, 16, 25, 36, 49, 64]:
        r2 = r2_score(ytr[nfit:], KNeighborsRegressor(k, metric="cosine")
                      .fit(etr[:nfit], ytr[:nfit]).predict(etr[nfit:]))
        if best is None or r2 > best[1]:
            best = (k, r2)
    pred = KNeighborsRegressor(best[0], metric="cosine").fit(etr, ytr).predict(ete)
    return r2_score(yte, pred), float(np.median(np.abs(pred - yte))), best[0]


def consistency(embs):
    s = [LinearRegression().fit(a, b).score(a, b)
         for i, a in enumerate(embs) for j, b in enumerate(embs) if i != j]
    return float(np.mean(s)) if s else float("nan")


def main():
    d = sys.argv[1]
    iters = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    seeds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    x = np.load(f"{d}/X.npy").astype(np.float32)
    y = np.load(f"{d}/position.npy").astype(np.float32)
    ntrain = int(0.8 * len(x))
    for mode in ["time", "time_delta"]:
        embs = []
        for seed in range(seeds):
            torch.manual_seed(seed)
            np.random.seed(seed)
            model = cebra.CEBRA(model_architecture="offset10-model", output_dimension=3,
                                num_hidden_units=32, temperature=1.0, learning_rate=3e-4,
                                batch_size=512, time_offsets=10, max_iterations=iters,
                                conditional=mode, distance="cosine", device="cpu", verbose=False)
            t0 = time.time()
            if mode == "time":
                model.fit(x[:ntrain])
            else:
                model.fit(x[:ntrain], y[:ntrain])
            secs = (time.time() - t0) / iters * 1000
            etr, ete = model.transform(x[:ntrain]), model.transform(x[ntrain:])
            r2, med, k = knn_scores(etr, y[:ntrain, 0], ete, y[ntrain:, 0])
            print(f"{mode:10s} seed {seed}: {secs:6.2f} s/1000 it, kNN R2 {r2:.4f} (k = {k}), "
                  f"median error {med:.4f}")
            embs.append(etr)
        print(f"{mode:10s} consistency over {seeds} seeds: {consistency(embs):.4f}")


if __name__ == "__main__":
    main()
