#!/usr/bin/python3
"""PyTorch's side of `covidct.jar evaluate --weights CK --data COVID_CT --split test --scores-out F.csv
--metrics-out F.json`, written as the tutorial evaluates: its CovidCTDataset over COVID-CT's split files
(CT_NonCOVID's images, then CT_COVID's, each in its split file's order), a DataLoader of --batch-size
images (8, ours' default) without shuffling, the checkpoint's torchvision model (torch_checkpoint.py)
under torch.no_grad(), and sklearn's metrics. Run with Debian's /usr/bin/python3 (python3-torch 1.13,
python3-torchvision, python3-sklearn, python3-scipy, python3-pil):

    /usr/bin/python3 scripts/bench/torch_evaluate.py --weights CK.safetensors --data COVID_CT [--split test]
        [--threads T] [--batch-size 8] [--workers 0] [--seed 0] [--out DIR]

The same work as ours, on the same images through the same transform: each image's softmax
probability of the positive class and its argmax; the loss as the mean over images; accuracy,
sensitivity, specificity, the positive class's precision and F1, ROC AUC and roc_curve, the confusion
matrix and classification_report; 95% intervals from a stratified percentile bootstrap of 1000
resamples (every class resampled to its own size; each resample's six metrics, the AUC as the
Mann-Whitney count) and DeLong's AUC interval (Sun and Xu's midranks, a normal interval clipped to
[0, 1]); the calibration in ten equal-width bins closed on the right, its ECE and the Brier score. It
prints the test table and, with --out, writes DIR/test_scores.csv (`path,target,covid_probability,
prediction`) and DIR/test_metrics.json, as ours' --scores-out and --metrics-out.

What differs: the bootstrap draws its resamples from numpy's generator, not ours' SplitMix64, so the
intervals agree with ours in distribution, not digit for digit; the JSON holds the same numbers under
the same keys but not ours' every descriptive field; batch norm stays as it is in eval mode (ours
folds it into the convolutions); --workers 0 (the DataLoader's default, the tutorial's) reads the
images in the process that runs the network, where ours decodes them on worker threads meanwhile.
Like ours without --val-scores it fits no temperature and chooses no second threshold. It reads only
a COVID-CT checkout (Images-processed/ and Data-split/), not ours' ImageFolder trees or manifests.
"""
import argparse
import csv
import json
import os

import numpy as np
import scipy.stats
import torch
import torch.nn.functional as F
from PIL import Image
from sklearn.metrics import (brier_score_loss, classification_report, confusion_matrix, roc_auc_score,
                             roc_curve)
from torch.utils.data import DataLoader, Dataset

from torch_checkpoint import Checkpoint

CLASSES = ["CT_NonCOVID", "CT_COVID"]
SPLIT_FILES = {"CT_NonCOVID": "Data-split/NonCOVID/%sCT_NonCOVID.txt", "CT_COVID": "Data-split/COVID/%sCT_COVID.txt"}
Z_975 = 1.959963984540054
BINS = 10


def read_txt(path):
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


class CovidCTDataset(Dataset):
    """The tutorial's dataset: the split's images of each class, label = the class's index."""

    def __init__(self, root, split, transform):
        self.images = [(os.path.join(root, "Images-processed", cls, name), label)
                       for label, cls in enumerate(CLASSES)
                       for name in read_txt(os.path.join(root, SPLIT_FILES[cls] % split))]
        self.transform = transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        path, label = self.images[i]
        return {"img": self.transform(Image.open(path).convert("RGB")), "label": label, "paths": path}


def score(model, loader, positive):
    """Every image's path, target, positive-class probability and argmax, and the mean loss."""
    paths, targets, scores, predicted, loss = [], [], [], [], 0.0
    with torch.no_grad():
        for batch in loader:
            logits = model(batch["img"])
            loss += F.cross_entropy(logits, batch["label"], reduction="sum").item()
            paths += batch["paths"]
            targets += batch["label"].tolist()
            scores += torch.softmax(logits, dim=1)[:, positive].tolist()
            predicted += logits.argmax(dim=1).tolist()
    return paths, np.array(targets), np.array(scores, dtype=np.float64), np.array(predicted), loss / len(paths)


def rates(tp, fp, p, n):
    """Accuracy, sensitivity, specificity, precision and F1 from counts (zero division: 0, as sklearn)."""
    tp, fp = np.asarray(tp, dtype=np.float64), np.asarray(fp, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        sensitivity = tp / p
        f1 = np.where(precision + sensitivity > 0, 2 * precision * sensitivity / (precision + sensitivity), 0.0)
    return (tp + n - fp) / (p + n), sensitivity, (n - fp) / n, precision, f1


def draws(rng, resamples, size):
    """How often each of size samples is drawn, with replacement, in each of the resamples (a row each)."""
    drawn = rng.integers(0, size, (resamples, size)) + size * np.arange(resamples)[:, None]
    return np.bincount(drawn.ravel(), minlength=resamples * size).reshape(resamples, size)


def bootstrap(targets, scores, predicted, resamples, seed):
    """Stratified percentile 95% intervals of accuracy, sensitivity, specificity, precision, F1 and AUC."""
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(targets == 1), np.flatnonzero(targets == 0)
    p, n = len(pos), len(neg)
    pos_counts, neg_counts = draws(rng, resamples, p), draws(rng, resamples, n)
    tp = pos_counts @ predicted[pos]
    fp = neg_counts @ predicted[neg]
    # Mann-Whitney: each (positive, negative) pair counts 1 when ranked right, 1/2 when tied.
    wins = (scores[pos][:, None] > scores[neg][None, :]) + 0.5 * (scores[pos][:, None] == scores[neg][None, :])
    auc = np.einsum("bi,ij,bj->b", pos_counts, wins, neg_counts) / (p * n)
    values = rates(tp, fp, p, n) + (auc,)
    return [np.percentile(v, [2.5, 97.5]).tolist() for v in values]


def delong(targets, scores):
    """DeLong's AUC, its standard error and the clipped normal 95% interval."""
    x, y = scores[targets == 1], scores[targets == 0]
    m, n = len(x), len(y)
    tz = scipy.stats.rankdata(np.concatenate([x, y]))
    v10 = (tz[:m] - scipy.stats.rankdata(x)) / n
    v01 = 1.0 - (tz[m:] - scipy.stats.rankdata(y)) / m
    auc = v10.mean()
    se = np.sqrt(v10.var(ddof=1) / m + v01.var(ddof=1) / n)
    return auc, se, [max(0.0, auc - Z_975 * se), min(1.0, auc + Z_975 * se)]


def calibration(targets, scores):
    """Ten equal-width bins closed on the right (sklearn's calibration_curve), the ECE and the Brier score."""
    bin_of = np.searchsorted(np.linspace(0, 1, BINS + 1)[1:-1], scores)
    count = np.bincount(bin_of, minlength=BINS)
    positives = np.bincount(bin_of, weights=targets, minlength=BINS)
    score_sum = np.bincount(bin_of, weights=scores, minlength=BINS)
    bins, ece = [], 0.0
    for b in range(BINS):
        mean = score_sum[b] / count[b] if count[b] else None
        frequency = positives[b] / count[b] if count[b] else None
        if count[b]:
            ece += count[b] / len(scores) * abs(frequency - mean)
        bins.append({"lower": b / BINS, "upper": (b + 1) / BINS, "count": int(count[b]),
                     "mean_confidence": mean, "observed_frequency": frequency})
    return {"num_bins": BINS, "ece": ece, "brier": brier_score_loss(targets, scores), "bins": bins}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--split", choices=["train", "val", "test"], default="test")
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--out")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    checkpoint = Checkpoint(a.weights)
    if checkpoint.positive != 1:
        raise SystemExit("error: %s: the positive class %r must come second in class_names %s, as COVID-CT's "
                         "labels (CT_NonCOVID 0, CT_COVID 1) have it"
                         % (a.weights, checkpoint.class_names[checkpoint.positive], checkpoint.class_names))
    model = checkpoint.model()
    loader = DataLoader(CovidCTDataset(a.data, a.split, checkpoint.transform()), batch_size=a.batch_size,
                        shuffle=False, drop_last=False, num_workers=a.workers)
    paths, targets, scores, predicted, loss = score(model, loader, checkpoint.positive)

    report = classification_report(targets, predicted, labels=[0, 1], target_names=CLASSES, output_dict=True,
                                   zero_division=0)
    fpr, tpr, thresholds = roc_curve(targets, scores)
    accuracy_ci, sensitivity_ci, specificity_ci, precision_ci, f1_ci, auc_ci = bootstrap(
        targets, scores, predicted, a.resamples, a.seed)
    delong_auc, delong_se, delong_ci = delong(targets, scores)
    metrics = {
        "num_samples": len(paths), "accuracy": report["accuracy"], "sensitivity": report["CT_COVID"]["recall"],
        "specificity": report["CT_NonCOVID"]["recall"], "roc_auc": roc_auc_score(targets, scores),
        "confusion_matrix": confusion_matrix(targets, predicted, labels=[0, 1]).tolist(), "loss": loss,
        "classification_report": report,
        "roc_curve": {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": thresholds.tolist()},
        "precision": report["CT_COVID"]["precision"], "f1": report["CT_COVID"]["f1-score"],
        "accuracy_ci": accuracy_ci, "sensitivity_ci": sensitivity_ci, "specificity_ci": specificity_ci,
        "precision_ci": precision_ci, "f1_ci": f1_ci, "roc_auc_ci_bootstrap": auc_ci,
        "roc_auc_ci_delong": delong_ci, "roc_auc_delong_se": delong_se,
        "uncertainty": {"confidence": 0.95, "bootstrap": "stratified, percentile interval",
                        "resamples": a.resamples, "seed": a.seed, "generator": "numpy default_rng",
                        "delong": "plain normal interval clipped to [0, 1]"},
        "calibration": calibration(targets, scores),
    }
    rows = [("Accuracy", "accuracy", accuracy_ci), ("Sensitivity", "sensitivity", sensitivity_ci),
            ("Specificity", "specificity", specificity_ci), ("Precision", "precision", precision_ci),
            ("F1", "f1", f1_ci)]
    print("------------------- Test Performance --------------------------------------")
    for label, key, ci in rows:
        print("%s \t %.3f (95%% CI %.3f-%.3f)" % (label, metrics[key], ci[0], ci[1]))
    print("Area Under ROC \t %.3f (95%% CI %.3f-%.3f bootstrap, %.3f-%.3f DeLong)"
          % (metrics["roc_auc"], auc_ci[0], auc_ci[1], delong_ci[0], delong_ci[1]))
    print("Loss \t %s" % loss)
    print("Confusion Matrix\n%s" % np.array(metrics["confusion_matrix"]))
    print(classification_report(targets, predicted, labels=[0, 1], target_names=CLASSES, zero_division=0))
    print("Calibration: ECE %.3f, Brier %.3f" % (metrics["calibration"]["ece"], metrics["calibration"]["brier"]))
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "test_scores.csv"), "w", newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(["path", "target", "covid_probability", "prediction"])
            for row in zip(paths, targets.tolist(), scores.tolist(), predicted.tolist()):
                out.writerow([row[0], row[1], "%.8f" % row[2], row[3]])
        with open(os.path.join(a.out, "test_metrics.json"), "w") as f:
            json.dump(metrics, f, indent=2)


if __name__ == "__main__":
    main()
