#!/usr/bin/python3
"""Reference values for src/evaluate/metrics.ts, computed with scikit-learn (Debian's
python3-sklearn 1.2.1) and, for AUC, an independent Mann-Whitney U with scipy's rankdata.
Run: /usr/bin/python3 scripts/reference/evaluate_reference.py > test/fixtures/evaluate/reference.json
"""
import json
import numpy as np
from scipy.stats import rankdata
from sklearn import metrics as M

EPS = np.finfo(np.float64).eps
rng = np.random.default_rng(7)
out = {}

# Binary, with heavy ties in scores (rounded to 1 decimal) for AUC/AP.
n = 400
y = rng.integers(0, 2, n)
s_a = np.clip(np.round(0.3 * y + rng.random(n) * 0.7, 1), 0, 1)
s_b = np.clip(0.4 * y + rng.random(n) * 0.6, 0, 1)
s_b[:5] = [0.0, 1.0, 0.5, 0.5, 1e-20]  # clipping and the 0.5 boundary

def binary(y, s):
    pred = (s > 0.5).astype(int)
    pos = s[y == 1]; neg = s[y == 0]
    ranks = rankdata(np.concatenate([pos, neg]))
    u = ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2
    auc_mw = u / (len(pos) * len(neg))
    return {
        'accuracy': M.accuracy_score(y, pred),
        'precision': M.precision_score(y, pred, zero_division=0),
        'recall': M.recall_score(y, pred, zero_division=0),
        'f1': M.f1_score(y, pred, zero_division=0),
        'roc_auc': M.roc_auc_score(y, s),
        'roc_auc_mannwhitney': auc_mw,
        'pr_auc': M.average_precision_score(y, s),
        'log_loss': M.log_loss(y, s, eps=EPS),
        'brier': M.brier_score_loss(y, s),
    }

out['binary'] = {'id': list(range(n)), 'label': y.tolist(), 'champion': s_a.tolist(), 'challenger': s_b.tolist(),
                 'expected': {'champion': binary(y, s_a), 'challenger': binary(y, s_b)}}

# Multiclass from predicted labels.
k = 4
yc = rng.integers(0, k, 300)
pa = np.where(rng.random(300) < 0.6, yc, rng.integers(0, k, 300))
pb = np.where(rng.random(300) < 0.7, yc, rng.integers(0, k, 300))
names = np.array(['cat', 'dog', 'fox', 'owl'])
def multi(y, p):
    return {'accuracy': M.accuracy_score(y, p), 'macro_f1': M.f1_score(y, p, average='macro', zero_division=0),
            'weighted_f1': M.f1_score(y, p, average='weighted', zero_division=0)}
out['multiclass'] = {'id': list(range(300)), 'label': names[yc].tolist(), 'champion': names[pa].tolist(), 'challenger': names[pb].tolist(),
                     'expected': {'champion': multi(names[yc], names[pa]), 'challenger': multi(names[yc], names[pb])}}

# Regression, one label exactly 0 for MAPE's eps.
yr = rng.normal(10, 3, 250); yr[0] = 0.0
ra = yr + rng.normal(0, 1, 250)
rb = yr + rng.normal(0.2, 0.8, 250)
def reg(y, p):
    return {'mae': M.mean_absolute_error(y, p), 'rmse': float(np.sqrt(M.mean_squared_error(y, p))),
            'r2': M.r2_score(y, p), 'mape': M.mean_absolute_percentage_error(y, p)}
out['regression'] = {'id': list(range(250)), 'label': yr.tolist(), 'champion': ra.tolist(), 'challenger': rb.tolist(),
                     'expected': {'champion': reg(yr, ra), 'challenger': reg(yr, rb)}}

# Multiclass with per-class probabilities (columns score_<class>): log loss with sklearn's clip and
# row normalisation. Some rows hold exact 0/1 (clipping) and rows that do not sum to 1.
m = 200
ym = rng.integers(0, 3, m)
cls = np.array(['card', 'cash', 'voucher'])
def probas(skill):
    raw = rng.random((m, 3)) + skill * np.eye(3)[ym]
    p = raw / raw.sum(axis=1, keepdims=True)
    p[0] = [1.0, 0.0, 0.0]
    p[1] = [0.0, 0.0, 1.0]
    p[2] = [0.2, 0.2, 0.2]  # sums to 0.6: normalised
    return np.round(p, 6)
qa, qb = probas(0.3), probas(0.6)
def multi_proba(y, q):
    pred = cls[q.argmax(axis=1)]
    return {'accuracy': M.accuracy_score(cls[y], pred), 'macro_f1': M.f1_score(cls[y], pred, average='macro', zero_division=0),
            'weighted_f1': M.f1_score(cls[y], pred, average='weighted', zero_division=0),
            'log_loss': M.log_loss(cls[y], q, eps=EPS, labels=cls)}
out['multiclass_proba'] = {'id': list(range(m)), 'label': cls[ym].tolist(), 'classes': cls.tolist(),
                           'champion': cls[qa.argmax(axis=1)].tolist(), 'challenger': cls[qb.argmax(axis=1)].tolist(),
                           'champion_proba': qa.tolist(), 'challenger_proba': qb.tolist(),
                           'expected': {'champion': multi_proba(ym, qa), 'challenger': multi_proba(ym, qb)}}

print(json.dumps(out, indent=1))
