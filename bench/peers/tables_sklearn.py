#!/usr/bin/python3
"""bench/peers/tables_sklearn.py — the table pipeline of train-and-explain done with scikit-learn, for bench/bench_tables.

Reads a JSON array of records (cars.json), encodes it as train-and-explain does (text columns one-hot, the ID-like
Name column dropped, ISO dates as fractional years, a missing numeric value imputed by the training rows' median plus
a <column>_missing input, inputs standardised, the target standardised for the net;
rows without a target dropped), then times the same work with
scikit-learn's defaults:
  1. the weight-decay choice: MLPRegressor(hidden, early_stopping=True) for alpha in 0, 1e-4, 1e-3, 1e-2 on one
     training split, the lowest validation loss kept;
  2. that net's finite-difference per-SD sensitivities (central differences, step 1e-3 SD) on every row, each with a
     95% row bootstrap (1000 resamples), the Spearman groups of the features (|rho| >= 0.8), and
     permutation_importance (n_repeats=20, as train-and-explain shuffles each column 20 times) on the held-out rows;
  3. K-fold cross-validation (KFold shuffle): per fold two MLPRegressor(early_stopping=True) with the chosen alpha and
     their own seeds (train-and-explain refits each fold twice), RidgeCV, the nets and ridge scored by R² and RMSE on the
     held-out fold (the first net's scores are the CV figures), and each fold net's finite-difference sensitivities.
Not done here, done by train-and-explain: a group shuffled as one block, the categorical level effects, the
finite-difference check of the Jacobian, the probes, figures and the report (bench_tables times those apart).
Prints one JSON line: seconds of the work (after imports and reading the table), the process's CPU seconds from its
start, and the CV summaries. Not a test; never a runtime dependency.
"""
import argparse
import json
import sys
import time

import numpy as np


def load(path, target):
    with open(path) as f:
        rows = json.load(f)
    rows = [r for r in rows if r.get(target) is not None]
    cols = [c for c in rows[0].keys() if c != target]
    y = np.array([float(r[target]) for r in rows])
    numeric, names = [], []
    for c in cols:
        vals = [r.get(c) for r in rows]
        present = [v for v in vals if v is not None]
        if all(isinstance(v, (int, float)) for v in present):
            numeric.append((c, np.array([np.nan if v is None else float(v) for v in vals])))
        elif all(isinstance(v, str) and len(v) >= 10 and v[4] == '-' and v[7] == '-' for v in present):
            def year(s):
                t = time.strptime(s[:10], "%Y-%m-%d")
                return t.tm_year + (t.tm_yday - 1) / 365.25
            numeric.append((c, np.array([np.nan if v is None else year(v) for v in vals])))
        elif len(set(present)) > 0.5 * len(present):
            continue                                            # an identifier such as Name: dropped
        else:
            levels = sorted(set(present))
            for lv in levels:
                numeric.append((c + "=" + lv, np.array([1.0 if v == lv else 0.0 for v in vals])))
    X = np.column_stack([v for _, v in numeric])
    names = [n for n, _ in numeric]
    return X, y, names


def encoder():
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    return make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler())


def net_model(a, alpha):
    """MLPRegressor with its defaults (adam, max_iter 200) but early stopping, on the standardised target as
    train-and-explain trains on it."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.neural_network import MLPRegressor
    from sklearn.preprocessing import StandardScaler
    return TransformedTargetRegressor(MLPRegressor(hidden_layer_sizes=(a.hidden,), alpha=alpha, early_stopping=True,
                                                   random_state=a.seed), transformer=StandardScaler())


def fd_rows(model, Z, step=1e-3):
    """|d prediction / d input| of every row [N, D] per standardised input, by central differences."""
    out = np.empty(Z.shape)
    for j in range(Z.shape[1]):
        up, dn = Z.copy(), Z.copy()
        up[:, j] += step
        dn[:, j] -= step
        out[:, j] = np.abs(model.predict(up) - model.predict(dn)) / (2 * step)
    return out


def fd_sensitivity(model, Z, step=1e-3):
    """Mean |d prediction / d input| per standardised input."""
    return fd_rows(model, Z, step).mean(axis=0)


def row_bootstrap(G, resamples, rng):
    """95% percentile interval of each column's mean over rows resampled with replacement."""
    idx = rng.integers(0, G.shape[0], size=(resamples, G.shape[0]))
    means = G[idx].mean(axis=1)                                 # [resamples, D]
    return np.percentile(means, [2.5, 97.5], axis=0)


def spearman_groups(Z, threshold=0.8):
    """Connected components of |Spearman rho| >= threshold (single linkage), as lists of column indices."""
    from scipy.stats import spearmanr
    rho = np.atleast_2d(spearmanr(Z).correlation)
    D = Z.shape[1]
    group = list(range(D))
    for a in range(D):
        for b in range(a + 1, D):
            if abs(rho[a, b]) >= threshold:
                ga, gb = group[a], group[b]
                group = [ga if g == gb else g for g in group]
    return [[j for j in range(D) if group[j] == g] for g in sorted(set(group)) if group.count(g) > 1]


def a_with_seed(a, seed):
    b = argparse.Namespace(**vars(a))
    b.seed = seed
    return b


def summary(v):
    v = np.asarray(v)
    return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)), "values": [float(x) for x in v]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--table", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    import sklearn
    from sklearn.inspection import permutation_importance
    from sklearn.linear_model import RidgeCV
    from sklearn.metrics import mean_squared_error, r2_score
    from sklearn.model_selection import KFold, train_test_split

    X, y, names = load(a.table, a.target)
    t0 = time.perf_counter()

    # 1. the weight-decay choice on one split, 2. importance and sensitivities of the chosen net.
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=a.seed)
    enc = encoder().fit(Xtr)
    Ztr, Zte = enc.transform(Xtr), enc.transform(Xte)
    best = None
    for alpha in (0.0, 1e-4, 1e-3, 1e-2):
        m = net_model(a, alpha).fit(Ztr, ytr)
        score = m.regressor_.best_validation_score_
        if best is None or score > best[0]:
            best = (score, alpha, m)
    _, alpha, net = best
    Zall = enc.transform(X)
    rows = fd_rows(net, Zall)
    sens = rows.mean(axis=0)
    interval = row_bootstrap(rows, 1000, np.random.default_rng(a.seed))
    groups = spearman_groups(Ztr[:, :len(names)])
    perm = permutation_importance(net, Zte, yte, n_repeats=20, random_state=a.seed)
    t_main = time.perf_counter() - t0

    # 3. K-fold: net and ridge per fold, scored on the held-out fold; the fold net's sensitivities.
    t1 = time.perf_counter()
    net_r2, net_rmse, base_r2, base_rmse = [], [], [], []
    for tr, te in KFold(n_splits=a.folds, shuffle=True, random_state=a.seed).split(X):
        enc = encoder().fit(X[tr])
        Ztr, Zte = enc.transform(X[tr]), enc.transform(X[te])
        m = net_model(a, alpha).fit(Ztr, y[tr])
        fd_sensitivity(m, Ztr)
        b = a_with_seed(a, a.seed + 1000)                       # the fold's second fit, its own seed
        fd_sensitivity(net_model(b, alpha).fit(Ztr, y[tr]), Ztr)
        r = RidgeCV().fit(Ztr, y[tr])
        for model, r2s, rmses in ((m, net_r2, net_rmse), (r, base_r2, base_rmse)):
            p = model.predict(Zte)
            r2s.append(r2_score(y[te], p))
            rmses.append(float(np.sqrt(mean_squared_error(y[te], p))))
    t_cv = time.perf_counter() - t1

    print(json.dumps({"sklearn": sklearn.__version__, "rows": int(len(y)), "inputs": int(Ztr.shape[1]),
                      "seconds": time.perf_counter() - t0, "seconds_main": t_main, "seconds_cv": t_cv,
                      "cpu_seconds_process": time.process_time(), "groups": [[names[j] for j in g] for g in groups],
                      "fits_per_fold": 2, "permutation_repeats": 20, "bootstrap_resamples": 1000,
                      "alpha": alpha, "net": {"r2": summary(net_r2), "rmse": summary(net_rmse)},
                      "baseline": {"r2": summary(base_r2), "rmse": summary(base_rmse)},
                      "permutation_top": names[int(np.argmax(perm.importances_mean[:len(names)]))]}))


if __name__ == "__main__":
    sys.exit(main())
