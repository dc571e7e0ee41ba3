"""Alerts: a period whose trust index fell below its trailing baseline.

For each brand × dimension series, the baseline pools the expected counts of the
`baseline_periods` periods before p. With Dirichlet posteriors for the baseline and
for p (counts + a uniform prior), an alert fires when

    P(index_baseline − index_p > margin) ≥ probability   and   volume_p ≥ min_volume

(all four settings in configs/default.yaml, `alerts:`). Each alert names brand,
dimension, period, the drop with its 95% interval, the volume, and the posts that
contributed most to the drop: those whose (p_pos − p_neg) fell furthest below what
the baseline index predicts for a post addressing the dimension.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .aggregate import PRIOR, aggregate_posts, prepare
from .config import load_config


def _posterior_index(pos: float, neu: float, neg: float, rng: np.random.Generator, samples: int) -> np.ndarray:
    draws = [rng.gamma(max(c, 0.0) + PRIOR, size=samples) for c in (pos, neu, neg)]
    return (draws[0] - draws[2]) / (draws[0] + draws[1] + draws[2])


def detect(indices: pd.DataFrame, config: dict | None = None) -> pd.DataFrame:
    """Alerts from an index table (aggregate_posts output), without evidence posts."""
    settings = (config or load_config())["alerts"]
    margin, probability = float(settings["margin"]), float(settings["probability"])
    min_volume, window = float(settings["min_volume"]), int(settings["baseline_periods"])
    samples = int(settings.get("posterior_samples", 4000))
    rng = np.random.default_rng(int(settings.get("seed", 0)))
    alerts = []
    for (brand, platform, dimension), series in indices.groupby(["brand", "platform", "dimension"], sort=False):
        series = series.sort_values("period_start").reset_index(drop=True)
        for i in range(1, len(series)):
            current = series.iloc[i]
            if current["volume"] < min_volume:
                continue
            base = series.iloc[max(0, i - window):i]
            base = base[base["volume"] > 0]
            # Need a baseline of at least two periods holding min_volume posts between them.
            if len(base) < min(2, window) or base["volume"].sum() < min_volume:
                continue
            b_counts = base[["pos", "neu", "neg"]].sum()
            baseline = _posterior_index(*b_counts, rng, samples)
            now = _posterior_index(current["pos"], current["neu"], current["neg"], rng, samples)
            drop = baseline - now
            p_drop = float((drop > margin).mean())
            if p_drop >= probability:
                base_index = (b_counts["pos"] - b_counts["neg"]) / b_counts.sum()
                alerts.append({
                    "brand": brand, "platform": platform, "dimension": dimension,
                    "period": current["period"], "period_start": current["period_start"],
                    "index": float(current["index"]), "lo": float(current["lo"]), "hi": float(current["hi"]),
                    "baseline": float(base_index), "drop": float(base_index - current["index"]),
                    "drop_lo": float(np.quantile(drop, 0.025)), "drop_hi": float(np.quantile(drop, 0.975)),
                    "probability": p_drop, "volume": float(current["volume"]),
                })
    return pd.DataFrame(alerts, columns=["brand", "platform", "dimension", "period", "period_start", "index", "lo",
                                         "hi", "baseline", "drop", "drop_lo", "drop_hi", "probability", "volume"])


def evidence(posts: pd.DataFrame, alert: dict, period: str, timezone: str, n: int = 5) -> list[dict]:
    """The n posts of the alert's period that pulled its index down the most."""
    frame = prepare(posts, period, timezone)
    frame = frame[(frame["brand"] == alert["brand"]) & (frame["period_start"] == alert["period_start"])]
    if alert.get("platform") not in (None, "all"):
        frame = frame[frame["platform"] == alert["platform"]]
    if frame.empty:
        return []
    prefix = f"p_{alert['dimension']}"
    addressed = 1.0 - frame[f"{prefix}_absent"] if alert["dimension"] != "sentiment" else 1.0
    contribution = alert["baseline"] * addressed - (frame[f"{prefix}_pos"] - frame[f"{prefix}_neg"])
    top = frame.assign(contribution=contribution).nlargest(n, "contribution")
    label = f"trust_{alert['dimension']}" if alert["dimension"] != "sentiment" else "sentiment"
    return [{"id": r["id"], "platform": r["platform"], "created_at": r["created_at"].isoformat(),
             "text": r["text_norm"], "label": r[label], "contribution": round(float(r["contribution"]), 3)}
            for _, r in top.iterrows()]


def find_alerts(posts: pd.DataFrame, period: str | None = None, by_platform: bool = False,
                config: dict | None = None, indices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Alerts with their evidence posts, from a posts frame."""
    config = config or load_config()
    period = period or config["aggregate"]["period"]
    if indices is None:
        indices = aggregate_posts(posts, period, by_platform, config)
    alerts = detect(indices, config)
    timezone = config["aggregate"].get("timezone", "Asia/Shanghai")
    n = int(config["alerts"]["evidence_posts"])
    alerts["evidence"] = [json.dumps(evidence(posts, a, period, timezone, n), ensure_ascii=False)
                          for a in alerts.to_dict("records")]
    return alerts
