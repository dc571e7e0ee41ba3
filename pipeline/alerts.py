"""Alerts: a period whose trust index fell below its trailing baseline.

For each brand × dimension series, the baseline pools the expected counts of the
`baseline_periods` periods before p. With Dirichlet posteriors for the baseline and
for p (counts + a uniform prior), an alert fires when

    P(index_baseline − index_p > margin) ≥ probability   and   volume_p ≥ min_volume

(all four settings in configs/default.yaml, `alerts:`). Besides period p alone, the
last `windows` periods ending at p are also pooled and tested against the baseline
before them: a drop that persists is confirmed a period later with twice the volume,
which is where most of the recall on modest volumes comes from. Each alert names brand,
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
    windows = [int(w) for w in settings.get("windows", [1])]
    for (brand, platform, dimension), series in indices.groupby(["brand", "platform", "dimension"], sort=False):
        series = series.sort_values("period_start").reset_index(drop=True)
        for i in range(1, len(series)):
            current = series.iloc[i]
            best = None
            for width in windows:
                if i - width + 1 < 1:
                    continue
                recent = series.iloc[i - width + 1:i + 1]
                if recent["volume"].sum() < min_volume or current["volume"] <= 0:
                    continue
                base = series.iloc[max(0, i - width + 1 - window):i - width + 1]
                base = base[base["volume"] > 0]
                # A baseline of at least two periods holding min_volume posts between them.
                if len(base) < min(2, window) or base["volume"].sum() < min_volume:
                    continue
                b_counts = base[["pos", "neu", "neg"]].sum()
                r_counts = recent[["pos", "neu", "neg"]].sum()
                drop = (_posterior_index(*b_counts, rng, samples) - _posterior_index(*r_counts, rng, samples))
                p_drop = float((drop > margin).mean())
                if p_drop >= probability and (best is None or p_drop > best[0]):
                    base_index = (b_counts["pos"] - b_counts["neg"]) / b_counts.sum()
                    recent_index = (r_counts["pos"] - r_counts["neg"]) / r_counts.sum()
                    best = (p_drop, width, base_index, recent_index, drop, recent["volume"].sum())
            if best is not None:
                p_drop, width, base_index, recent_index, drop, volume = best
                alerts.append({
                    "brand": brand, "platform": platform, "dimension": dimension,
                    "period": current["period"], "period_start": current["period_start"], "window": width,
                    "index": float(current["index"]), "lo": float(current["lo"]), "hi": float(current["hi"]),
                    "baseline": float(base_index), "drop": float(base_index - recent_index),
                    "drop_lo": float(np.quantile(drop, 0.025)), "drop_hi": float(np.quantile(drop, 0.975)),
                    "probability": p_drop, "volume": float(volume),
                })
    return pd.DataFrame(alerts, columns=["brand", "platform", "dimension", "period", "period_start", "window", "index", "lo",
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
