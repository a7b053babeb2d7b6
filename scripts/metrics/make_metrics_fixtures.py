#!/usr/bin/python3
"""Crafted binary-classification cases with scikit-learn's answers, for covidct's metrics tests.

Run from the repository root with Debian's interpreter (it has scikit-learn, numpy and torch):
    /usr/bin/python3 scripts/metrics/make_metrics_fixtures.py
Writes covidct/src/test/resources/metrics/<case>.json and index.json (the case names, and the
library versions used). Labels: 0 = CT_NonCOVID, 1 = CT_COVID, as in the tutorial.

Each case records what the tutorial's compute_metrics would get from sklearn. Where the tutorial's
own call raises (one class only), the error text is recorded and the well-defined variant
(labels=[0, 1]) gives the numbers. NaN (roc_curve on one class) is written as null.
"""
import json
import math
import os
import warnings

import numpy as np
import sklearn
import torch
from sklearn.metrics import (accuracy_score, classification_report, confusion_matrix, recall_score,
                             roc_auc_score, roc_curve)

OUT = os.path.join("covidct", "src", "test", "resources", "metrics")
NAMES = ["CT_NonCOVID", "CT_COVID"]


def clean(value):
    """Plain JSON: numpy scalars and arrays to Python values, NaN to None."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [clean(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) else value
    return value


def call(fn):
    """(result, error message): sklearn's own answer, or the text of what it raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(), None
        except ValueError as e:
            return None, str(e)


def curve(y_true, y_score, drop):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fpr, tpr, thr = roc_curve(y_true, y_score, drop_intermediate=drop)
    return {"fpr": clean(fpr), "tpr": clean(tpr), "thresholds": clean(thr),
            "warnings": [str(w.message) for w in caught]}


def printouts(accuracy, sensitivity, specificity, roc_score, loss):
    """The tutorial's two printed tables (test and per-epoch), captured as text."""
    lines = ["------------------- Test Performance --------------------------------------",
             "Accuracy \t {:.3f}".format(accuracy),
             "Sensitivity \t {:.3f}".format(sensitivity),
             "Specificity \t {:.3f}".format(specificity),
             "Area Under ROC \t {:.3f}".format(roc_score),
             "------------------------------------------------------------------------------"]
    test = "\n".join(lines) + "\n"
    lines[0] = '------------------ Epoch {} Iteration {}--------------------------------------'.format(3, 25)
    lines.insert(5, "Val Loss \t {}".format(loss))
    return test, "\n".join(lines) + "\n"


def case(name, description, y_true, y_pred, y_score, logits=None, loss=0.5):
    y_true = [int(v) for v in y_true]
    y_pred = [int(v) for v in y_pred]
    y_score = [float(v) for v in y_score]
    report, _ = call(lambda: classification_report(y_true, y_pred, labels=[0, 1], target_names=NAMES,
                                                   output_dict=True))
    text, _ = call(lambda: classification_report(y_true, y_pred, labels=[0, 1], target_names=NAMES))
    # The tutorial's exact calls, without labels=[0, 1].
    _, tutorial_report_error = call(lambda: classification_report(y_true, y_pred, target_names=NAMES,
                                                                  output_dict=True))
    auc, auc_error = call(lambda: roc_auc_score(y_true, y_score))
    cm = confusion_matrix(y_true, y_pred, labels=[0, 1])
    data = {
        "name": name,
        "description": description,
        "y_true": y_true,
        "y_pred": y_pred,
        "y_score": y_score,
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "recall_per_class": clean(call(lambda: recall_score(y_true, y_pred, labels=[0, 1], average=None))[0]),
        "confusion_matrix": clean(cm),
        "confusion_matrix_str": str(cm),
        "confusion_matrix_tutorial": clean(confusion_matrix(y_true, y_pred)),
        "classification_report": clean(report),
        "classification_report_text": text,
        "tutorial_classification_report_error": tutorial_report_error,
        "roc_auc_score": clean(auc),
        "roc_auc_error": auc_error,
        "roc_curve": curve(y_true, y_score, True),
        "roc_curve_all_points": curve(y_true, y_score, False),
    }
    if auc is not None:
        test, epoch = printouts(report["accuracy"], report["CT_COVID"]["recall"],
                                report["CT_NonCOVID"]["recall"], auc, loss)
        data["loss"] = loss
        data["tutorial_test_printout"] = test
        data["tutorial_epoch_printout"] = epoch
    if logits is not None:
        t = torch.tensor(logits, dtype=torch.float32)
        data["logits"] = [[float(a), float(b)] for a, b in t.tolist()]
        data["torch_argmax"] = t.argmax(dim=1).tolist()
        data["torch_softmax_score"] = torch.nn.Softmax(dim=1)(t)[:, 1].tolist()
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(data, f, indent=1, allow_nan=False)
        f.write("\n")
    return name


def from_logits(logits):
    """The tutorial's bookkeeping: argmax (ties to class 0) and the float32 softmax of class 1."""
    t = torch.tensor(logits, dtype=torch.float32)
    return t.argmax(dim=1).tolist(), torch.nn.Softmax(dim=1)(t)[:, 1].tolist()


def python_format(rng):
    """How Python prints floats (repr, .2f, .3f), for the tables' number formatting."""
    values = [0.0, -0.0, 1.0, 0.125, 0.375, 0.845, 0.8445, 2.675, 1.0005, -0.0001, 0.0005, 1e-05, 0.0001,
              1e16, 1234567890123456.0, 12345678901234567.0, 5e-324, 1e23, 0.1 + 0.2, 100.0, -2.5e-07,
              0.6931471805599453, 1.7976931348623157e308, 123456.789, 2.0 ** -1074 * 3, 9.5, 0.5, 1.5, 2.5]
    values += [float(v) for v in rng.uniform(0, 1, 200)]
    values += [float(np.float32(v)) for v in rng.uniform(0, 1, 100)]
    values += [float(v) for v in 10.0 ** rng.uniform(-12, 20, 100) * rng.choice([-1, 1], 100)]
    values += [k / 1000 for k in range(0, 1001, 5)] + [k / 8 for k in range(0, 40)]
    rows = [{"value": v, "repr": repr(v), "f2": format(v, ".2f"), "f3": format(v, ".3f")} for v in values]
    with open(os.path.join(OUT, "python_format.json"), "w") as f:
        json.dump(rows, f, indent=0)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20200403)
    names = []

    names.append(case("ties_across_classes", "positives and negatives share scores; ties form one ROC step",
                      [0, 1, 0, 1, 1, 0, 0, 1, 1, 0],
                      [0, 1, 1, 1, 0, 0, 1, 1, 0, 0],
                      [0.3, 0.3, 0.7, 0.7, 0.5, 0.5, 0.7, 0.9, 0.3, 0.1]))
    names.append(case("all_scores_equal", "every score the same: AUC 0.5, curve (0,0)-(1,1)",
                      [0, 1, 1, 0, 1, 0, 1], [0] * 7, [0.42] * 7))
    names.append(case("perfect_separation", "every positive above every negative",
                      [0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1],
                      [0.01, 0.2, 0.3, 0.61, 0.8, 0.95, 0.99]))
    names.append(case("inverted_separation", "every positive below every negative: AUC 0",
                      [1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1, 1],
                      [0.01, 0.2, 0.3, 0.61, 0.8, 0.95, 0.99]))
    names.append(case("one_class_negative", "only NonCOVID targets: AUC undefined, predictions mixed",
                      [0, 0, 0, 0, 0], [0, 1, 0, 0, 1], [0.1, 0.7, 0.2, 0.4, 0.6]))
    names.append(case("one_class_positive", "only COVID targets: AUC undefined",
                      [1, 1, 1, 1], [1, 1, 0, 1], [0.9, 0.8, 0.3, 0.55]))
    names.append(case("one_class_everywhere", "only NonCOVID in targets and predictions; the tutorial's report raises",
                      [0, 0, 0], [0, 0, 0], [0.1, 0.2, 0.3]))
    y = np.array([0] * 95 + [1] * 5)
    s = np.round(rng.uniform(0, 1, 100) * 0.6 + y * 0.3, 6)
    names.append(case("class_imbalance", "95 negatives, 5 positives", y, (s > 0.5).astype(int), s))
    names.append(case("zero_precision_never_predicted", "COVID never predicted: its precision is 0 (sklearn warns)",
                      [0, 1, 0, 1, 1, 0], [0, 0, 0, 0, 0, 0], [0.2, 0.45, 0.1, 0.3, 0.49, 0.4]))
    names.append(case("zero_precision_all_wrong", "every COVID prediction wrong, every NonCOVID one too",
                      [0, 1, 0, 1], [1, 0, 1, 0], [0.6, 0.4, 0.7, 0.3]))
    names.append(case("single_sample_each", "two samples", [1, 0], [1, 0], [0.8, 0.2]))

    torch.manual_seed(203)
    targets = [0] * 98 + [1] * 105
    order = torch.randperm(203).tolist()
    targets = [targets[i] for i in order]
    logits = (torch.randn(203, 2) * 1.5).tolist()
    for i, t in enumerate(targets):
        logits[i][t] += 1.2
    pred, score = from_logits(logits)
    # The tutorial's validation loss: the mean over batches of 8 of CrossEntropyLoss.
    criterion = torch.nn.CrossEntropyLoss()
    lt, tt = torch.tensor(logits), torch.tensor(targets)
    batch_losses = [criterion(lt[i:i + 8], tt[i:i + 8]).item() for i in range(0, 203, 8)]
    names.append(case("random_203", "the test split's size and balance (98 NonCOVID, 105 COVID), torch logits",
                      targets, pred, score, logits, loss=sum(batch_losses) / len(batch_losses)))

    y = rng.integers(0, 2, 300)
    s = np.round(np.clip(rng.normal(0.45 + 0.15 * y, 0.2), 0, 1), 1)
    names.append(case("many_duplicates", "300 scores on a 0.1 grid: long runs of ties", y, (s > 0.5).astype(int), s))

    logits = [[0.5, 0.5], [2.0, 2.0], [-1.0, -1.0], [0.0, 1e-7], [1e-7, 0.0], [100.0, -100.0],
              [-100.0, 100.0], [3.0, -2.5], [-60.0, 60.0], [0.25, 0.75]]
    targets = [0, 1, 1, 1, 0, 0, 1, 0, 1, 1]
    pred, score = from_logits(logits)
    names.append(case("logit_ties_and_extremes", "equal logits go to class 0; saturated softmax stays finite",
                      targets, pred, score, logits))

    y = np.array([0] * 20 + [1] * 20)
    s = np.concatenate([np.linspace(0, 0.5, 20), np.linspace(0.5, 1, 20)])
    names.append(case("collinear_points", "evenly spaced scores: drop_intermediate removes collinear points",
                      y, (s > 0.5).astype(int), s))

    python_format(rng)

    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump({"cases": names, "sklearn": sklearn.__version__, "numpy": np.__version__,
                   "torch": torch.__version__}, f, indent=1)
        f.write("\n")
    print("wrote", len(names), "cases to", OUT, "with sklearn", sklearn.__version__)


if __name__ == "__main__":
    main()
