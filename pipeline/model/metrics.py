"""Classification metrics per head: macro-F1, accuracy, per-class P/R, confusion, ECE."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support


def expected_calibration_error(probs: np.ndarray, target: np.ndarray, bins: int = 15) -> float:
    """Top-label ECE with equal-width confidence bins."""
    if len(target) == 0:
        return float("nan")
    confidence = probs.max(1)
    correct = probs.argmax(1) == target
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            ece += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(ece)


def head_report(target: np.ndarray, predicted: np.ndarray, labels: list[str], probs: np.ndarray | None = None) -> dict:
    """Metrics of one head; `target` and `predicted` are label indices."""
    indices = list(range(len(labels)))
    precision, recall, f1, support = precision_recall_fscore_support(
        target, predicted, labels=indices, zero_division=0)
    present = [i for i in indices if support[i] > 0]
    report = {
        "n": int(len(target)),
        # Macro-F1 over the classes present in the gold labels (an absent class would add a 0).
        "macro_f1": float(f1_score(target, predicted, labels=present, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(target, predicted)),
        "per_class": {labels[i]: {"precision": float(precision[i]), "recall": float(recall[i]),
                                  "f1": float(f1[i]), "support": int(support[i])} for i in indices},
        "confusion": confusion_matrix(target, predicted, labels=indices).tolist(),
        "labels": labels,
        "predicted": predicted.tolist(),  # for paired comparisons (paired_bootstrap)
    }
    if probs is not None:
        report["ece"] = expected_calibration_error(probs, target)
    return report


def paired_bootstrap(target: np.ndarray, predicted_a: np.ndarray, predicted_b: np.ndarray, metric: str = "macro_f1",
                     labels: list[int] | None = None, resamples: int = 1000, seed: int = 0) -> dict:
    """Difference a − b of a metric on the same rows, with a 95% interval from a paired bootstrap
    (the rows resampled with replacement, both systems scored on each resample): how much of a
    gap between two systems the size of the test split can tell apart from chance."""
    target, predicted_a, predicted_b = map(np.asarray, (target, predicted_a, predicted_b))
    labels = sorted(set(target.tolist())) if labels is None else labels

    def score(t, p):
        if metric == "accuracy":
            return float((t == p).mean())
        return float(f1_score(t, p, labels=labels, average="macro", zero_division=0))

    rng = np.random.default_rng(seed)
    differences = []
    for _ in range(resamples):
        rows = rng.integers(0, len(target), len(target))
        differences.append(score(target[rows], predicted_a[rows]) - score(target[rows], predicted_b[rows]))
    low, high = np.percentile(differences, [2.5, 97.5])
    return {"difference": score(target, predicted_a) - score(target, predicted_b), "low": float(low),
            "high": float(high), "a_better_share": float(np.mean(np.asarray(differences) > 0)),
            "metric": metric, "resamples": resamples}
