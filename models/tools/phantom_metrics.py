"""The paper's metrics, per patient, with bootstrap confidence intervals (the same definitions as `lilnet eval`).

ACC; AUC (binary: of p(malignant); triads: one-vs-rest, macro average); F1, recall and precision averaged over the
classes weighted by their support (the paper's figures: its recall equals its accuracy) and also as plain macro
averages. 95% intervals: percentiles 2.5 and 97.5 of 1000 bootstrap resamples of the patients.
"""
from __future__ import annotations

import numpy as np


def auc_binary(y_true, score):
    """Area under the ROC curve (Mann-Whitney, ties count half); NaN without both classes."""
    y = np.asarray(y_true, dtype=bool)
    s = np.asarray(score, dtype=float)
    pos, neg = s[y], s[~y]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    allv = np.concatenate([pos, neg])[order]
    ranks = np.empty(len(allv))
    i = 0
    while i < len(allv):
        j = i
        while j + 1 < len(allv) and allv[j + 1] == allv[i]:
            j += 1
        ranks[i:j + 1] = (i + j) / 2 + 1
        i = j + 1
    r = np.empty(len(allv))
    r[order] = ranks
    return float((r[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def auc_ovr(y_true, probs, n_classes):
    """One-vs-rest AUC averaged over the classes present with both outcomes."""
    y = np.asarray(y_true)
    p = np.asarray(probs, dtype=float)
    values = [auc_binary(y == c, p[:, c]) for c in range(n_classes)]
    values = [v for v in values if not np.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


def per_class(y_true, y_pred, n_classes):
    """recall, precision, f1, support per class (a prediction of -1 is 'no answer', always wrong)."""
    y = np.asarray(y_true)
    yp = np.asarray(y_pred)
    out = []
    for c in range(n_classes):
        tp = int(((yp == c) & (y == c)).sum())
        support = int((y == c).sum())
        predicted = int((yp == c).sum())
        recall = tp / support if support else 0.0
        precision = tp / predicted if predicted else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        out.append((recall, precision, f1, support))
    return out


def scores(y_true, y_pred, probs, n_classes):
    """ACC, AUC, weighted F1/recall/precision and macro F1/recall/precision."""
    y = np.asarray(y_true)
    pc = per_class(y, y_pred, n_classes)
    support = np.array([s for *_, s in pc], dtype=float)
    w = support / support.sum() if support.sum() else support
    present = support > 0
    auc = auc_binary(y == 1, np.asarray(probs)[:, 1]) if n_classes == 2 else auc_ovr(y, probs, n_classes)
    return {
        "acc": float((np.asarray(y_pred) == y).mean()) if len(y) else float("nan"),
        "auc": auc,
        "f1": float(sum(wi * f for wi, (_, _, f, _) in zip(w, pc))),
        "recall": float(sum(wi * r for wi, (r, _, _, _) in zip(w, pc))),
        "precision": float(sum(wi * p for wi, (_, p, _, _) in zip(w, pc))),
        "macroF1": float(np.mean([f for (_, _, f, _), k in zip(pc, present) if k])) if present.any() else float("nan"),
        "macroRecall": float(np.mean([r for (r, _, _, _), k in zip(pc, present) if k])) if present.any() else float("nan"),
        "macroPrecision": float(np.mean([p for (_, p, _, _), k in zip(pc, present) if k])) if present.any() else float("nan"),
    }


def with_ci(y_true, y_pred, probs, n_classes, rounds=1000, seed=7):
    """Scores plus bootstrap 95% intervals ({name: value, name + "95": [lo, hi]})."""
    y = np.asarray(y_true)
    yp = np.asarray(y_pred)
    p = np.asarray(probs, dtype=float)
    base = scores(y, yp, p, n_classes)
    rng = np.random.default_rng(seed)
    samples = {k: [] for k in base}
    n = len(y)
    for _ in range(rounds):
        idx = rng.integers(0, n, n)
        s = scores(y[idx], yp[idx], p[idx], n_classes)
        for k, v in s.items():
            if not np.isnan(v):
                samples[k].append(v)
    out = {"n": int(n)}
    for k, v in base.items():
        out[k] = round(v, 4)
        if samples[k]:
            out[k + "95"] = [round(float(np.percentile(samples[k], 2.5)), 4), round(float(np.percentile(samples[k], 97.5)), 4)]
    return out


def confusion(y_true, y_pred, n_classes):
    """Rows: truth, columns: prediction, last column: no answer."""
    m = np.zeros((n_classes, n_classes + 1), dtype=int)
    for t, p in zip(y_true, y_pred):
        m[t, p if p >= 0 else n_classes] += 1
    return m.tolist()


def iou3d(a, b):
    """3D IoU of (x1, y1, x2, y2, first slice, last slice) boxes; slices count whole ([first, last + 1))."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    iz = max(0.0, min(a[5] + 1, b[5] + 1) - max(a[4], b[4]))
    inter = ix * iy * iz
    va = (a[2] - a[0]) * (a[3] - a[1]) * (a[5] + 1 - a[4])
    vb = (b[2] - b[0]) * (b[3] - b[1]) * (b[5] + 1 - b[4])
    return inter / (va + vb - inter) if va + vb - inter > 0 else 0.0


def match(predicted, truth, threshold):
    """Greedy one-to-one matching by decreasing IoU: (true positives, matched truth indices)."""
    pairs = sorted(((iou3d(p, t), i, j) for i, p in enumerate(predicted) for j, t in enumerate(truth)), reverse=True)
    used_p, used_t = set(), set()
    for v, i, j in pairs:
        if v < threshold or v <= 0:
            break
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
    return len(used_t), used_t
