"""Per-brand trust indices per dimension and period, with a 95% interval, volume and coverage.

For brand b, dimension d, period p, over posts that address d (architecture.md):

    index = (pos − neg) / (pos + neu + neg)          in [−1, 1]

with pos/neu/neg the *expected* counts — sums of the model's calibrated probabilities.
The interval is the central 95% of the posterior of θ_pos − θ_neg under a Dirichlet
with those counts plus a uniform prior (1, 1, 1): small periods get wide intervals,
never a smoothed-in fake value. `volume` is the expected number of posts addressing d,
`coverage` its share of all the brand's posts in the period. A sentiment index
(pos − neg over all posts) sits beside the three trust indices.

Duplicates count once: a chat flood counts through its lead message only, and exact
duplicates (same brand, period and normalized text — copy-paste spam, 好评返现 templates)
count once.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .config import load_config
from .records import DIMENSIONS

PERIODS = {"day": "D", "week": "W-SUN", "month": "M"}
PRIOR = 1.0


def period_start(created_at: pd.Series, period: str, timezone: str) -> pd.Series:
    """The first day of each post's period, in the analysts' time zone (weeks start Monday)."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; expected one of {', '.join(PERIODS)}")
    local = created_at.dt.tz_convert(timezone).dt.tz_localize(None)
    return local.dt.to_period(PERIODS[period]).dt.start_time.dt.date


def dirichlet_interval(pos, neu, neg, level: float = 0.95, samples: int = 4000, seed: int = 0,
                       prior: float = PRIOR) -> tuple[np.ndarray, np.ndarray]:
    """Central `level` interval of θ_pos − θ_neg under Dirichlet(counts + prior), vectorized over groups."""
    pos, neu, neg = (np.asarray(x, dtype=float) for x in (pos, neu, neg))
    rng = np.random.default_rng(seed)
    draws = [rng.gamma(np.maximum(c, 0) + prior, size=(samples, len(c))) for c in (pos, neu, neg)]
    total = draws[0] + draws[1] + draws[2]
    difference = (draws[0] - draws[2]) / total
    tail = (1 - level) / 2
    return np.quantile(difference, tail, axis=0), np.quantile(difference, 1 - tail, axis=0)


def _explode_brands(posts: pd.DataFrame) -> pd.DataFrame:
    """One row per (post, brand mentioned): a post about two brands counts for both."""
    def brand_list(row):
        brands = row["brands"]
        if isinstance(brands, str):
            brands = json.loads(brands) if brands.startswith("[") else [brands]
        if not isinstance(brands, list) or not brands:
            brands = [row["brand"]] if isinstance(row["brand"], str) and row["brand"] else []
        return brands

    frame = posts.copy()
    frame["brand"] = frame.apply(brand_list, axis=1) if len(frame) else []
    return frame.explode("brand").dropna(subset=["brand"])


def prepare(posts: pd.DataFrame, period: str = "week", timezone: str = "Asia/Shanghai") -> pd.DataFrame:
    """Posts with a brand and a time, one row per brand, floods and exact duplicates counted once."""
    frame = posts.copy()
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True, errors="coerce", format="ISO8601")
    frame = frame.dropna(subset=["created_at"])
    if "flood_lead" in frame.columns:
        frame = frame[frame["flood_lead"].isna() | (frame["flood_lead"] == True)]  # noqa: E712
    frame = _explode_brands(frame)
    frame["period_start"] = period_start(frame["created_at"], period, timezone)
    frame = frame.drop_duplicates(["brand", "period_start", "text_norm"], keep="first")
    return frame


def aggregate_posts(posts: pd.DataFrame, period: str | None = None, by_platform: bool = False,
                    config: dict | None = None) -> pd.DataFrame:
    """The index table: brand, platform, dimension, period, period_start, index, lo, hi, volume, coverage …"""
    settings = (config or load_config())["aggregate"]
    period = period or settings["period"]
    timezone = settings.get("timezone", "Asia/Shanghai")
    frame = prepare(posts, period, timezone)
    columns = ["brand", "platform", "dimension", "period", "period_start", "index", "lo", "hi", "volume",
               "n_posts", "coverage", "pos", "neu", "neg"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    keys = ["brand", "period_start"] + (["platform"] if by_platform else [])
    tables = []
    for dimension in (*DIMENSIONS, "sentiment"):
        if dimension == "sentiment":
            sums = frame.groupby(keys).agg(pos=("p_sentiment_pos", "sum"), neu=("p_sentiment_neu", "sum"),
                                           neg=("p_sentiment_neg", "sum"), n_posts=("id", "size")).reset_index()
        else:
            sums = frame.groupby(keys).agg(pos=(f"p_{dimension}_pos", "sum"), neu=(f"p_{dimension}_neu", "sum"),
                                           neg=(f"p_{dimension}_neg", "sum"), n_posts=("id", "size")).reset_index()
        sums["dimension"] = dimension
        tables.append(sums)
    table = pd.concat(tables, ignore_index=True)
    if not by_platform:
        table["platform"] = "all"
    table["volume"] = table["pos"] + table["neu"] + table["neg"]
    table["coverage"] = table["volume"] / table["n_posts"]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["index"] = np.where(table["volume"] > 0, (table["pos"] - table["neg"]) / table["volume"], np.nan)
    lo, hi = dirichlet_interval(table["pos"], table["neu"], table["neg"], float(settings["interval"]),
                                int(settings["posterior_samples"]), int(settings["seed"]))
    table["lo"], table["hi"] = lo, hi
    table["period"] = period
    table = table[table["volume"] >= float(settings.get("min_volume", 0))]
    order = {d: i for i, d in enumerate((*DIMENSIONS, "sentiment"))}
    table = table.sort_values(["brand", "platform", "dimension", "period_start"],
                              key=lambda s: s.map(order) if s.name == "dimension" else s)
    return table[columns].reset_index(drop=True)


def load_posts(source) -> pd.DataFrame:
    """Posts from scored files (JSONL/CSV/Parquet), a DuckDB store path, a TrustStore or a DataFrame."""
    from pathlib import Path

    from .store import TrustStore, read_scored

    if isinstance(source, pd.DataFrame):
        return source
    if isinstance(source, TrustStore):
        return source.posts()
    paths = [source] if isinstance(source, (str, Path)) else list(source)
    return read_scored(paths)


def aggregate(source, period: str | None = None, by_platform: bool = False, config: dict | None = None) -> pd.DataFrame:
    """Indices (a DataFrame) from scored files, a DuckDB store or a posts DataFrame."""
    return aggregate_posts(load_posts(source), period, by_platform, config)
