"""Simulate alerting: recall of planted trust drops and false alarms per stream-year.

    python scripts/simulate_alerts.py --streams 500 --periods 52 --drop 0.3 --volume 100

500 synthetic weekly brand streams with a planted drop and 500 without. Each post gets
a true label (pos / neu / neg among posts addressing the dimension, plus absent ones)
from the stream's proportions; the classifier is the *label model*: its calibrated
probabilities for a post are drawn from a Dirichlet centred on the true label with the
top-1 accuracy measured for the brand head on the test split (--accuracy). Indices and
alerts are computed by the product code (aggregate.dirichlet_interval, alerts.detect)
with the settings of configs/default.yaml.

A planted drop lowers the true index by --drop at a random period and stays low (a
broken trust does not heal in a week). It counts as found when an alert fires at that
period or the next. Every other alert — in streams without a drop, or before the
drop — is a false alarm.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ugc_trust.aggregate import dirichlet_interval  # noqa: E402
from ugc_trust.alerts import detect  # noqa: E402
from ugc_trust.config import load_config  # noqa: E402

LABELS = ("absent", "pos", "neu", "neg")


def label_model_probs(true: np.ndarray, accuracy: float, rng: np.random.Generator) -> np.ndarray:
    """Calibrated-looking probabilities from the label model.

    The predicted class is the true one `accuracy` of the time; errors go where the
    classifier's errors go on the test split — mostly to `absent` (a weakly stated
    opinion missed) or `neu`, rarely to the opposite polarity.
    """
    n = len(true)
    predicted = true.copy()
    wrong = np.nonzero(rng.random(n) > accuracy)[0]
    for i in wrong:
        others = [c for c in range(4) if c != true[i]]
        weights = np.array([ERROR_WEIGHTS[(true[i], c)] for c in others], dtype=float)
        predicted[i] = rng.choice(others, p=weights / weights.sum())
    concentration = np.full((n, 4), 0.2)
    concentration[np.arange(n), predicted] += 6.0
    return _fast_dirichlet(concentration, rng)


# Relative weight of each error (true, predicted): absent 0, pos 1, neu 2, neg 3.
ERROR_WEIGHTS = {
    (0, 1): 2, (0, 2): 1, (0, 3): 2,
    (1, 0): 5, (1, 2): 3, (1, 3): 1,
    (2, 0): 3, (2, 1): 3, (2, 3): 3,
    (3, 0): 5, (3, 1): 1, (3, 2): 3,
}


def _fast_dirichlet(alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    draws = rng.gamma(alpha)
    return draws / draws.sum(1, keepdims=True)


def stream(rng: np.random.Generator, periods: int, volume: float, drop: float | None, accuracy: float):
    """Period table (expected counts) of one stream, and the drop period (or None)."""
    base_index = rng.uniform(-0.1, 0.6)
    neu = rng.uniform(0.05, 0.2)
    drop_at = int(rng.integers(periods // 4, periods - 2)) if drop else None
    rows = []
    for p in range(periods):
        index = base_index - (drop if drop_at is not None and p >= drop_at else 0.0)
        pos = (1 - neu + index) / 2
        neg = 1 - neu - pos
        n_addressing = rng.poisson(volume)
        n_absent = rng.poisson(volume * 0.5)
        true = np.concatenate([np.zeros(n_absent, dtype=int),
                               rng.choice([1, 2, 3], size=n_addressing, p=np.clip([pos, neu, neg], 0, None) / np.clip([pos, neu, neg], 0, None).sum())])
        probs = label_model_probs(true, accuracy, rng)
        counts = probs.sum(0)
        rows.append({"period_start": pd.Timestamp("2025-01-06") + pd.Timedelta(weeks=p),
                     "pos": counts[1], "neu": counts[2], "neg": counts[3], "n_posts": len(true)})
    table = pd.DataFrame(rows)
    table["volume"] = table["pos"] + table["neu"] + table["neg"]
    table["index"] = (table["pos"] - table["neg"]) / table["volume"]
    return table, drop_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", type=int, default=500, help="streams with a drop (and as many without)")
    parser.add_argument("--periods", type=int, default=52, help="weekly periods per stream (52 = one year)")
    parser.add_argument("--drop", type=float, default=0.3)
    parser.add_argument("--volume", type=float, default=100, help="mean posts addressing the dimension per period")
    parser.add_argument("--accuracy", type=float, default=0.85, help="top-1 accuracy of the label model")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    config = load_config()
    rng = np.random.default_rng(args.seed)
    started = time.time()
    tables, truth = [], {}
    for s in range(2 * args.streams):
        table, drop_at = stream(rng, args.periods, args.volume, args.drop if s < args.streams else None, args.accuracy)
        table["brand"] = f"s{s}"
        truth[f"s{s}"] = drop_at
        tables.append(table)
    indices = pd.concat(tables, ignore_index=True)
    indices["platform"], indices["dimension"], indices["period"] = "all", "brand", "week"
    indices["lo"], indices["hi"] = dirichlet_interval(indices["pos"], indices["neu"], indices["neg"], samples=1000)
    alerts = detect(indices, config)
    start = pd.Timestamp("2025-01-06")
    alerts["p"] = ((pd.to_datetime(alerts["period_start"]) - start).dt.days // 7).astype(int)
    found, false_alarms, drop_streams_false = 0, 0, 0
    for brand, drop_at in truth.items():
        periods = set(alerts.loc[alerts["brand"] == brand, "p"])
        if drop_at is None:
            false_alarms += len(periods)
        else:
            if periods & {drop_at, drop_at + 1}:
                found += 1
            drop_streams_false += len({p for p in periods if p < drop_at})
    years = args.streams * args.periods / 52
    pre_drop_years = sum(d for d in truth.values() if d is not None) / 52
    settings = config["alerts"]
    print(f"settings: margin {settings['margin']}, probability {settings['probability']}, "
          f"min volume {settings['min_volume']}, baseline {settings['baseline_periods']} periods")
    print(f"streams: {args.streams} with a drop of {args.drop}, {args.streams} without; {args.periods} weekly periods; "
          f"~{args.volume:.0f} posts addressing the dimension per period; label-model accuracy {args.accuracy}")
    print(f"recall of planted drops within one period: {found / args.streams:.3f} ({found}/{args.streams})")
    print(f"false alarms per stream-year (streams without a drop): {false_alarms / years:.3f} ({false_alarms} alarms)")
    print(f"false alarms per stream-year before the drop (streams with one): {drop_streams_false / max(pre_drop_years, 1e-9):.3f}")
    print(f"({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
