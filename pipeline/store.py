"""The embedded store: scored posts, indices, alerts and runs in one DuckDB file.

Posts are upserted by (platform, id), so loading the same scored file twice — or a
crawler's export that repeats a comment — never counts a post twice. Probabilities are
flat columns (`p_brand_pos`, …) so indices are plain SQL sums.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import pandas as pd

from .errors import OutputError
from .records import DIMENSIONS, SENTIMENT_LABELS, TRUST_LABELS

PROB_COLUMNS = [f"p_{d}_{label}" for d in DIMENSIONS for label in TRUST_LABELS]
SENTIMENT_COLUMNS = [f"p_sentiment_{label}" for label in SENTIMENT_LABELS]
POST_COLUMNS = (
    ["platform", "id", "brand", "brands", "created_at", "kind", "author", "room_id", "text_norm",
     "trust_brand", "trust_content", "trust_interaction", "sentiment", "sentiment_score"]
    + PROB_COLUMNS + SENTIMENT_COLUMNS + ["flood_id", "flood_count", "flood_lead"]
)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS posts (
    platform VARCHAR NOT NULL, id VARCHAR NOT NULL, brand VARCHAR, brands VARCHAR,
    created_at TIMESTAMPTZ, kind VARCHAR, author VARCHAR, room_id VARCHAR, text_norm VARCHAR,
    trust_brand VARCHAR, trust_content VARCHAR, trust_interaction VARCHAR,
    sentiment VARCHAR, sentiment_score DOUBLE,
    {", ".join(f"{c} DOUBLE" for c in PROB_COLUMNS + SENTIMENT_COLUMNS)},
    flood_id VARCHAR, flood_count INTEGER, flood_lead BOOLEAN,
    loaded_at TIMESTAMPTZ DEFAULT current_timestamp,
    PRIMARY KEY (platform, id)
);
CREATE TABLE IF NOT EXISTS indices (
    brand VARCHAR, platform VARCHAR, dimension VARCHAR, period VARCHAR, period_start DATE,
    "index" DOUBLE, lo DOUBLE, hi DOUBLE, volume DOUBLE, n_posts INTEGER, coverage DOUBLE,
    pos DOUBLE, neu DOUBLE, neg DOUBLE,
    PRIMARY KEY (brand, platform, dimension, period, period_start)
);
CREATE TABLE IF NOT EXISTS alerts (
    brand VARCHAR, platform VARCHAR, dimension VARCHAR, period VARCHAR, period_start DATE,
    "index" DOUBLE, baseline DOUBLE, drop DOUBLE, drop_lo DOUBLE, drop_hi DOUBLE, probability DOUBLE,
    volume DOUBLE, lo DOUBLE, hi DOUBLE, evidence VARCHAR,
    PRIMARY KEY (brand, platform, dimension, period, period_start)
);
"""


def flatten(record: dict) -> dict:
    """A scored output record (architecture.md) as one row of the `posts` table."""
    row = {
        "platform": record.get("platform") or "other",
        "id": str(record["id"]),
        "brand": record.get("brand"),
        "brands": json.dumps(record.get("brands") or ([record["brand"]] if record.get("brand") else []), ensure_ascii=False),
        "created_at": record.get("created_at"),
        "kind": record.get("kind"),
        "author": record.get("author"),
        "room_id": record.get("room_id"),
        "text_norm": record.get("text_norm"),
        "sentiment": record.get("sentiment"),
        "sentiment_score": record.get("sentiment_score"),
    }
    trust = record.get("trust") or {}
    probs = record.get("trust_probs") or {}
    for dimension in DIMENSIONS:
        row[f"trust_{dimension}"] = trust.get(dimension)
        for label in TRUST_LABELS:
            row[f"p_{dimension}_{label}"] = (probs.get(dimension) or {}).get(label)
    sentiment_probs = record.get("sentiment_probs") or {}
    for label in SENTIMENT_LABELS:
        value = sentiment_probs.get(label)
        if value is None and record.get("sentiment") is not None:
            value = 1.0 if record["sentiment"] == label else 0.0
        row[f"p_sentiment_{label}"] = value
    flood = record.get("flood") or {}
    row["flood_id"] = flood.get("id")
    row["flood_count"] = flood.get("count")
    row["flood_lead"] = flood.get("lead") if flood else None
    return row


def _parse_nested(item: dict) -> dict:
    """CSV/Parquet outputs hold nested values as JSON strings and numbers as text."""
    for column in ("trust", "trust_probs", "sentiment_probs", "flood", "brands"):
        value = item.get(column)
        if isinstance(value, str) and value[:1] in "{[":
            item[column] = json.loads(value)
    if isinstance(item.get("sentiment_score"), str):
        item["sentiment_score"] = float(item["sentiment_score"])
    return item


def read_scored(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Scored output files (JSONL, CSV or Parquet) as a frame of `posts` rows."""
    rows: list[dict] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            from .errors import InputError

            raise InputError(f"{path}: no such file")
        if path.suffix == ".duckdb":
            rows.extend(TrustStore(path).posts().to_dict("records"))
            continue
        from .io import read_raw

        for _, item in read_raw(path):
            if isinstance(item, dict):
                item.pop("_raw", None)
                rows.append(flatten(_parse_nested(item)))
    return posts_frame(rows)


def posts_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=POST_COLUMNS)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True, errors="coerce", format="ISO8601")
    # A crawler that appended the same comment twice: one row per (platform, id), the last wins.
    return frame.drop_duplicates(["platform", "id"], keep="last").reset_index(drop=True)


class TrustStore:
    """A DuckDB file holding posts, indices and alerts."""

    def __init__(self, path: str | Path = "trust.duckdb", read_only: bool = False):
        import duckdb

        self.path = Path(path)
        try:
            self.connection = duckdb.connect(str(self.path), read_only=read_only)
            if not read_only:
                self.connection.execute(SCHEMA)
        except (duckdb.IOException, duckdb.Error) as error:
            raise OutputError(f"{self.path}: cannot open database ({error})") from error

    def close(self) -> None:
        self.connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def upsert_posts(self, records: Iterable[dict] | pd.DataFrame) -> int:
        """Insert or replace scored posts by (platform, id); returns the number of rows given."""
        frame = records if isinstance(records, pd.DataFrame) else posts_frame([flatten(r) for r in records])
        if frame.empty:
            return 0
        frame = frame[POST_COLUMNS]
        self.connection.register("incoming", frame)
        try:
            self.connection.execute(
                f"INSERT OR REPLACE INTO posts ({', '.join(POST_COLUMNS)}) SELECT {', '.join(POST_COLUMNS)} FROM incoming")
        finally:
            self.connection.unregister("incoming")
        return len(frame)

    def posts(self, brands: list[str] | None = None) -> pd.DataFrame:
        query = f"SELECT {', '.join(POST_COLUMNS)} FROM posts"
        if brands:
            query += " WHERE brand IN (" + ", ".join("?" for _ in brands) + ")"
        frame = self.connection.execute(query, brands or []).df()
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
        return frame

    def count(self) -> int:
        return self.connection.execute("SELECT count(*) FROM posts").fetchall()[0][0]

    def replace_table(self, name: str, frame: pd.DataFrame) -> None:
        """Replace the rows of `indices` or `alerts` for the brands in `frame`."""
        if name not in ("indices", "alerts"):
            raise ValueError(name)
        columns = [c[0] for c in self.connection.execute(f"DESCRIBE {name}").fetchall()]
        frame = frame.reindex(columns=columns)
        self.connection.register("incoming", frame)
        try:
            self.connection.execute("BEGIN")
            self.connection.execute(f"DELETE FROM {name} WHERE brand IN (SELECT DISTINCT brand FROM incoming)")
            quoted = ", ".join(f'"{c}"' for c in columns)
            self.connection.execute(f"INSERT INTO {name} ({quoted}) SELECT {quoted} FROM incoming")
            self.connection.execute("COMMIT")
        except Exception:
            self.connection.execute("ROLLBACK")
            raise
        finally:
            self.connection.unregister("incoming")

    def table(self, name: str) -> pd.DataFrame:
        return self.connection.execute(f"SELECT * FROM {name}").df()

    def export_parquet(self, table: str, path: str | Path) -> None:
        self.connection.execute(f"COPY {table} TO '{Path(path)}' (FORMAT parquet)")
