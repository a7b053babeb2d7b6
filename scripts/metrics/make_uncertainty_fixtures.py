#!/usr/bin/python3
"""Reference answers for covidct's confidence intervals, calibration and operating points.

Run from the repository root with Debian's interpreter (it has numpy, scikit-learn, scipy, torch):
    /usr/bin/python3 scripts/metrics/make_uncertainty_fixtures.py
Writes covidct/src/test/resources/metrics/uncertainty/<case>.json, splitmix64.json and index.json.

Everything here is computed from the published definitions, written out plainly and independently
of the Java code (the pairwise kernel where the Java uses midranks or per-score counts, Newton's
method where it bisects, fresh counts at every threshold where it sweeps once):
- SplitMix64 (Steele, Lea and Flood 2014) and its bias-free bounded draw, the bootstrap's stream;
- the stratified percentile bootstrap, each resample's AUC as the Mann-Whitney count over all
  (positive, negative) pairs;
- DeLong's variance (DeLong, DeLong and Clarke-Pearson 1988) from the pairwise kernel psi, with a
  plain normal 95% interval clipped to [0, 1];
- the reliability bins, ECE and Brier score;
- temperature scaling by Newton's method on the NLL in u = 1/T;
- Youden's J in exact fractions over roc_curve's thresholds, and the target-sensitivity rule.
Where a library computes the same thing it is checked here against it (np.percentile,
sklearn's calibration_curve, brier_score_loss, roc_curve and its np.argmax(tpr - fpr),
precision/recall/f1_score, torch's L-BFGS for the temperature) and the script stops on a mismatch.
"""
import json
import math
import os
import warnings
from fractions import Fraction
from statistics import NormalDist

import numpy as np
import scipy.stats
import sklearn
import torch
from sklearn.calibration import calibration_curve
from sklearn.metrics import (brier_score_loss, confusion_matrix, f1_score, precision_score, recall_score,
                             roc_curve)

OUT = os.path.join("covidct", "src", "test", "resources", "metrics", "uncertainty")
MASK = (1 << 64) - 1
RESAMPLES = 1000
MIN_T, MAX_T = 0.01, 100.0
# The standard normal's 97.5th percentile, correctly rounded (statistics' inv_cdf is one ulp below).
Z = 1.959963984540054
assert Z == float(scipy.stats.norm.ppf(0.975)) and abs(Z - NormalDist().inv_cdf(0.975)) <= 1e-15


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_long(self):
        """The next 64 bits, as an unsigned integer."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def next_int(self, bound):
        """Uniform in [0, bound): 63-bit draws, rejecting those at or above M - M % bound (M = 2^63 - 1)."""
        m = (1 << 63) - 1
        limit = m - m % bound
        while True:
            r = self.next_long() >> 1
            if r < limit:
                return r % bound


def signed(u):
    return u - (1 << 64) if u >= 1 << 63 else u


# ---- metrics of one set of (target, predicted, score), zero division giving 0 as sklearn 1.2 ----

def counts(y, pred):
    tp = sum(1 for t, p in zip(y, pred) if t == 1 and p == 1)
    fn = sum(1 for t, p in zip(y, pred) if t == 1 and p == 0)
    fp = sum(1 for t, p in zip(y, pred) if t == 0 and p == 1)
    tn = sum(1 for t, p in zip(y, pred) if t == 0 and p == 0)
    return tn, fp, fn, tp


def metrics_from_counts(tn, fp, fn, tp):
    n = tn + fp + fn + tp
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    specificity = tn / (tn + fp) if tn + fp > 0 else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"accuracy": (tp + tn) / n, "sensitivity": recall, "specificity": specificity,
            "precision": precision, "f1": f1}


def check_against_sklearn(y, pred, m):
    """The point metrics as sklearn computes them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = recall_score(y, pred, labels=[0, 1], average=None, zero_division=0)
        ref = {"precision": precision_score(y, pred, labels=[0, 1], zero_division=0),
               "sensitivity": rec[1], "specificity": rec[0],
               "f1": f1_score(y, pred, labels=[0, 1], zero_division=0),
               "accuracy": float(np.mean(np.array(y) == np.array(pred)))}
    for k, v in ref.items():
        assert abs(m[k] - float(v)) <= 1e-15, (k, m[k], v)


def mann_whitney_auc(x, yneg):
    """(positives above negatives) + half the ties, over all pairs; the one division is the only rounding."""
    x = np.asarray(x, dtype=float)[:, None]
    yneg = np.asarray(yneg, dtype=float)[None, :]
    twice = 2 * int(np.sum(x > yneg)) + int(np.sum(x == yneg))
    return twice / (2 * x.shape[0] * yneg.shape[1])


# ---- the stratified percentile bootstrap ----

def percentile(sorted_values, q):
    h = (len(sorted_values) - 1) * q
    i = math.floor(h)
    if i >= len(sorted_values) - 1:
        return sorted_values[-1]
    a, b = sorted_values[i], sorted_values[i + 1]
    return min(b, a + (h - i) * (b - a))


def interval(values):
    s = sorted(values)
    lo, hi = percentile(s, 0.025), percentile(s, 0.975)
    np_lo, np_hi = np.percentile(values, [2.5, 97.5])
    assert abs(lo - np_lo) <= 1e-15 and abs(hi - np_hi) <= 1e-15, (lo, np_lo, hi, np_hi)
    return [lo, hi]


def bootstrap(y, pred, score, seed, resamples=RESAMPLES):
    pos = [i for i, t in enumerate(y) if t == 1]
    neg = [i for i, t in enumerate(y) if t == 0]
    rng = SplitMix64(seed)
    values = {k: [] for k in ("accuracy", "sensitivity", "specificity", "precision", "f1", "roc_auc")}
    for _ in range(resamples):
        dp = [pos[rng.next_int(len(pos))] for _ in range(len(pos))]
        dn = [neg[rng.next_int(len(neg))] for _ in range(len(neg))]
        idx = dp + dn
        m = metrics_from_counts(*counts([y[i] for i in idx], [pred[i] for i in idx]))
        for k, v in m.items():
            values[k].append(v)
        if pos and neg:
            values["roc_auc"].append(mann_whitney_auc([score[i] for i in dp], [score[i] for i in dn]))
    out = {}
    for k, v in values.items():
        defined = {"sensitivity": bool(pos), "specificity": bool(neg), "roc_auc": bool(pos and neg)}.get(k, True)
        out[k] = interval(v) if defined else None
    return out


# ---- DeLong ----

def delong(y, score):
    x = [s for t, s in zip(y, score) if t == 1]
    yn = [s for t, s in zip(y, score) if t == 0]
    m, n = len(x), len(yn)
    if m < 2 or n < 2:
        return None
    psi = [[1.0 if a > b else 0.5 if a == b else 0.0 for b in yn] for a in x]
    auc = sum(sum(row) for row in psi) / (m * n)
    v10 = [sum(row) / n for row in psi]
    v01 = [sum(psi[i][j] for i in range(m)) / m for j in range(n)]
    s10 = sum((v - auc) ** 2 for v in v10) / (m - 1)
    s01 = sum((v - auc) ** 2 for v in v01) / (n - 1)
    var = s10 / m + s01 / n
    half = Z * math.sqrt(var)
    return {"auc": auc, "variance": var, "interval": [max(0.0, auc - half), min(1.0, auc + half)]}


# ---- calibration ----

def calibration(y, p):
    edges = [k * 0.1 for k in range(10)] + [1.0]
    assert edges == list(np.linspace(0.0, 1.0, 11)), "the bin edges are numpy's linspace(0, 1, 11)"
    count = [0] * 10
    positives = [0] * 10
    total = [0.0] * 10
    for t, s in zip(y, p):
        b = sum(1 for e in edges[1:-1] if e < s)  # right-closed bins
        count[b] += 1
        positives[b] += t
        total[b] += s
    n = len(y)
    mean_conf = [total[b] / count[b] if count[b] else None for b in range(10)]
    freq = [positives[b] / count[b] if count[b] else None for b in range(10)]
    ece = sum(count[b] / n * abs(freq[b] - mean_conf[b]) for b in range(10) if count[b])
    brier = sum((s - t) ** 2 for t, s in zip(y, p)) / n
    if 0 < sum(y) < n:
        prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
        assert np.allclose(prob_true, [f for f in freq if f is not None], rtol=0, atol=1e-12)
        assert np.allclose(prob_pred, [c for c in mean_conf if c is not None], rtol=0, atol=1e-12)
    assert abs(brier - brier_score_loss(y, p)) <= 1e-12
    return {"counts": count, "positives": positives, "mean_confidence": mean_conf, "observed_frequency": freq,
            "ece": ece, "brier": brier}


# ---- temperature scaling ----

MAX_MARGIN = math.log(1 - 2.0 ** -53) - math.log1p(-(1 - 2.0 ** -53))


def margin(p):
    if p == 0.0:
        return -MAX_MARGIN
    if p == 1.0:
        return MAX_MARGIN
    return max(-MAX_MARGIN, min(MAX_MARGIN, math.log(p) - math.log1p(-p)))


def sigmoid(x):
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def nll(signed_margins, t):
    return sum(max(-m / t, 0) + math.log1p(math.exp(-abs(m / t))) for m in signed_margins) / len(signed_margins)


def fit_temperature(y, p):
    """Newton's method on d NLL / du = 0 (u = 1/T; the NLL is convex in u), kept inside [1/MAX_T, 1/MIN_T]."""
    sm = [(1 if t == 1 else -1) * margin(s) for t, s in zip(y, p)]
    before = nll(sm, 1.0)
    if all(m == 0 for m in sm):
        return {"temperature": 1.0, "nll_before": before, "nll_after": before, "at_bound": False}

    def d1(u):
        return sum(-m * sigmoid(-m * u) for m in sm)

    def d2(u):
        return sum(m * m * sigmoid(m * u) * sigmoid(-m * u) for m in sm)

    lo, hi = 1 / MAX_T, 1 / MIN_T
    if d1(lo) >= 0:
        u, at_bound = lo, True
    elif d1(hi) <= 0:
        u, at_bound = hi, True
    else:
        at_bound = False
        u = 1.0
        for _ in range(200):
            g = d1(u)
            if g < 0:
                lo = u
            else:
                hi = u
            step = g / d2(u) if d2(u) > 0 else 0.0
            nxt = u - step
            if not lo < nxt < hi:
                nxt = (lo + hi) / 2
            if abs(nxt - u) <= 1e-16 * u:
                u = nxt
                break
            u = nxt
    t = 1 / u
    if not at_bound:
        # torch's L-BFGS on the two-logit cross-entropy, as Guo et al.'s code fits T.
        logits = torch.tensor([[0.0, margin(s)] for s in p], dtype=torch.float64)
        target = torch.tensor(y)
        log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([log_t], lr=0.5, max_iter=500, tolerance_grad=1e-14, tolerance_change=1e-16,
                                line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(logits / log_t.exp(), target)
            loss.backward()
            return loss
        opt.step(closure)
        torch_t = float(log_t.exp())
        assert abs(torch_t - t) <= 1e-6 * t, (torch_t, t)
    return {"temperature": t, "nll_before": before, "nll_after": nll(sm, t), "at_bound": at_bound}


# ---- operating points ----

def choose_threshold(y, p, rule):
    """roc_curve's candidate thresholds (drop_intermediate=False), counts taken afresh at each."""
    _, _, thresholds = roc_curve(y, p, drop_intermediate=False)
    P, N = sum(y), len(y) - sum(y)
    rows = []
    for t in thresholds:
        tp = sum(1 for a, s in zip(y, p) if a == 1 and s >= t)
        fp = sum(1 for a, s in zip(y, p) if a == 0 and s >= t)
        rows.append((t, tp, fp))
    if rule["kind"] == "youden":
        js = [Fraction(tp, P) - Fraction(fp, N) for _, tp, fp in rows]
        best = max(js)
        k = js.index(best)  # the first, i.e. highest, threshold of the maxima
        fpr, tpr, _ = roc_curve(y, p, drop_intermediate=False)
        j_float = tpr - fpr
        if np.sum(j_float == j_float.max()) == 1 and js.count(best) == 1:
            assert int(np.argmax(j_float)) == k, "sklearn's argmax(tpr - fpr) picks the same threshold"
        return float(rows[k][0])
    for t, tp, _ in rows:
        if tp / P >= rule["target"]:
            return float(t)
    raise AssertionError("unreachable: the lowest threshold has sensitivity 1")


def at_threshold(y, p, t):
    pred = [1 if s >= t else 0 for s in p]
    tn, fp, fn, tp = counts(y, pred)
    assert confusion_matrix(y, pred, labels=[0, 1]).tolist() == [[tn, fp], [fn, tp]]
    m = metrics_from_counts(tn, fp, fn, tp)
    check_against_sklearn(y, pred, m)
    return pred, {"confusion_matrix": [[tn, fp], [fn, tp]], **m}


# ---- cases ----

def case(name, description, y, score, val=None, rule=None, seed=7, fit_temperature_on=True):
    y = [int(v) for v in y]
    score = [float(v) for v in score]
    pred = [1 if s > 0.5 else 0 for s in score]
    rule = rule or {"kind": "youden"}
    point = metrics_from_counts(*counts(y, pred))
    check_against_sklearn(y, pred, point)
    expected = {
        "point": point,
        "intervals": bootstrap(y, pred, score, seed),
        "delong": delong(y, score),
        "calibration": calibration(y, score),
    }
    data = {"name": name, "description": description, "seed": seed, "resamples": RESAMPLES, "rule": rule,
            "fit_temperature": fit_temperature_on,
            "test": {"y_true": y, "y_pred": pred, "y_score": score}, "val": None}
    if val is not None:
        vy = [int(v) for v in val[0]]
        vs = [float(v) for v in val[1]]
        data["val"] = {"y_true": vy, "y_pred": [1 if s > 0.5 else 0 for s in vs], "y_score": vs}
        if fit_temperature_on:
            temp = fit_temperature(vy, vs)
            expected["temperature"] = temp
            scaled = [sigmoid(margin(s) / temp["temperature"]) for s in score]
            expected["scaled_calibration"] = calibration(y, scaled)
        if 0 < sum(vy) < len(vy):
            t = choose_threshold(vy, vs, rule)
            _, val_metrics = at_threshold(vy, vs, t)
            test_pred, test_metrics = at_threshold(y, score, t)
            expected["operating_point"] = {"threshold": t, "val": val_metrics, "test": test_metrics,
                                           "test_intervals": bootstrap(y, test_pred, score, seed)}
    data["expected"] = expected
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(data, f, indent=1, allow_nan=False)
        f.write("\n")
    return name


def logistic_scores(rng, y, separation, spread=1.5):
    """P(COVID) = sigmoid(margin), margins drawn around +/- separation."""
    d = rng.normal(np.where(np.asarray(y) == 1, separation, -separation), spread)
    return [sigmoid(v) for v in d]


def splitmix_fixture():
    rows = []
    for seed in [0, 1, 7, 42, -1, 2 ** 63 - 1, -(2 ** 63), 20200403]:
        g = SplitMix64(seed)
        longs = [signed(g.next_long()) for _ in range(8)]
        draws = {}
        for bound in [1, 2, 3, 7, 98, 105, 1000, 2 ** 31 - 1]:
            g = SplitMix64(seed)
            draws[str(bound)] = [g.next_int(bound) for _ in range(12)]
        rows.append({"seed": seed, "next_long": longs, "next_int": draws})
    with open(os.path.join(OUT, "splitmix64.json"), "w") as f:
        json.dump(rows, f, indent=1)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240518)
    names = []

    y = rng.permutation([0] * 98 + [1] * 105)
    vy = rng.permutation([0] * 58 + [1] * 60)
    names.append(case("test_203_val_118", "the split sizes of COVID-CT (98/105 test, 58/60 validation), "
                      "logistic scores", y, logistic_scores(rng, y, 1.2),
                      val=(vy, logistic_scores(rng, vy, 1.2, 2.5))))
    names.append(case("target_sensitivity_95", "the same kind of data, threshold for sensitivity >= 0.95",
                      y, logistic_scores(rng, y, 1.0), val=(vy, logistic_scores(rng, vy, 1.0)),
                      rule={"kind": "target_sensitivity", "target": 0.95}, seed=42))

    yg = rng.integers(0, 2, 120)
    sg = np.round(np.clip(rng.normal(0.45 + 0.2 * yg, 0.22), 0, 1), 1)
    vyg = rng.integers(0, 2, 80)
    vsg = np.round(np.clip(rng.normal(0.45 + 0.2 * vyg, 0.22), 0, 1), 1)
    names.append(case("ties_on_a_grid", "scores on a 0.1 grid, bin edges included: ties within and across "
                      "classes and scores 0 and 1", yg, sg, val=(vyg, vsg), seed=3))

    names.append(case("youden_tie", "validation where two thresholds share the best J: the higher wins",
                      [0, 1, 0, 1, 1, 0, 1, 0], [0.2, 0.9, 0.4, 0.6, 0.8, 0.3, 0.7, 0.55],
                      val=([0, 1, 0, 1, 0, 1], [0.1, 0.3, 0.5, 0.7, 0.2, 0.9]), seed=11))

    names.append(case("tiny_two_each", "two samples of each class: the smallest set DeLong defines",
                      [1, 0, 1, 0], [0.8, 0.3, 0.4, 0.6], val=([1, 0, 1, 0], [0.7, 0.2, 0.45, 0.5]), seed=5))
    names.append(case("one_positive", "one COVID sample: no DeLong variance, bootstrap AUC still defined",
                      [1, 0, 0], [0.6, 0.3, 0.7], val=([1, 0], [0.9, 0.1]), seed=9))
    names.append(case("one_class_positive", "COVID only, on test and validation: AUC, specificity and the "
                      "threshold undefined", [1, 1, 1, 1], [0.9, 0.8, 0.3, 0.55],
                      val=([1, 1, 1], [0.6, 0.7, 0.2]), seed=13))
    names.append(case("one_class_negative_no_val", "NonCOVID only, no validation set",
                      [0, 0, 0, 0, 0], [0.1, 0.7, 0.2, 0.4, 0.6], seed=17))

    names.append(case("perfect_separation", "every positive above every negative: degenerate intervals, "
                      "the temperature at its lower bound", [0, 0, 0, 1, 1, 1, 1],
                      [0.01, 0.2, 0.3, 0.61, 0.8, 0.95, 0.99],
                      val=([0, 0, 1, 1], [0.1, 0.4, 0.7, 0.8]), seed=19))
    names.append(case("saturated_scores", "scores of exactly 0 and 1 (margins clipped) and an inverted "
                      "validation set, whose temperature is the upper bound", [1, 0, 1, 0, 1, 0, 1],
                      [1.0, 0.0, 0.9999999999999999, 1e-300, 0.3, 0.7, 0.5],
                      val=([1, 0, 1, 0], [0.2, 0.8, 0.3, 0.6]), seed=23))

    yi = np.array([1] * 5 + [0] * 60)
    si = np.round(np.clip(rng.normal(0.2 + 0.35 * yi, 0.15), 0, 1), 4)
    names.append(case("rare_positives", "5 COVID in 65, few predicted: resamples with no COVID prediction give "
                      "precision 0", yi, si, val=(yi, np.round(np.clip(rng.normal(0.2 + 0.35 * yi, 0.15), 0, 1), 4)),
                      rule={"kind": "target_sensitivity", "target": 0.8}, seed=29))
    names.append(case("no_temperature", "validation given, temperature not requested",
                      [0, 1, 0, 1, 1, 0], [0.2, 0.45, 0.1, 0.3, 0.49, 0.4],
                      val=([0, 1, 0, 1], [0.3, 0.6, 0.5, 0.4]), seed=31, fit_temperature_on=False))

    splitmix_fixture()
    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump({"cases": names, "resamples": RESAMPLES, "z_975": Z, "max_margin": MAX_MARGIN,
                   "sklearn": sklearn.__version__, "numpy": np.__version__, "torch": torch.__version__}, f, indent=1)
        f.write("\n")
    print("wrote", len(names), "cases to", OUT)


if __name__ == "__main__":
    main()
