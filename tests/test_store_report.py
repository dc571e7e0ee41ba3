import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import ugc_trust
from ugc_trust.store import TrustStore, read_scored

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "ugc_trust.cli", *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def scored(tmp_path_factory, tiny_model):
    out = tmp_path_factory.mktemp("scored") / "scored.jsonl"
    inputs = sorted(EXAMPLES.glob("*.jsonl")) + sorted(EXAMPLES.glob("*.csv"))
    result = _cli("score", *inputs, "-o", out, "--model", tiny_model)
    assert result.returncode == 0, result.stderr
    return out


def test_reloading_the_same_posts_never_counts_them_twice(tmp_path, scored):
    db = tmp_path / "trust.duckdb"
    with TrustStore(db) as store:
        first = store.upsert_posts(read_scored([scored]))
        count = store.count()
        store.upsert_posts(read_scored([scored]))
        assert store.count() == count == first
    # a fresh connection sees the same, and indices from the store equal indices from the file
    with TrustStore(db) as store:
        from_store = ugc_trust.aggregate(store)
    from_file = ugc_trust.aggregate(scored)
    pd.testing.assert_frame_equal(from_store.reset_index(drop=True), from_file.reset_index(drop=True), check_dtype=False)


def test_a_rescored_post_replaces_the_old_row(tmp_path):
    row = {"id": "1", "platform": "jd", "brand": "A", "created_at": "2026-03-01T00:00:00+00:00", "text_norm": "x",
           "trust": {"brand": "pos"}, "trust_probs": {"brand": {"absent": 0, "pos": 1, "neu": 0, "neg": 0}},
           "sentiment": "pos", "sentiment_score": 1.0}
    with TrustStore(tmp_path / "t.duckdb") as store:
        store.upsert_posts([row])
        store.upsert_posts([{**row, "trust": {"brand": "neg"}}])
        posts = store.posts()
    assert len(posts) == 1 and posts.iloc[0]["trust_brand"] == "neg"


def test_parquet_export(tmp_path, scored):
    with TrustStore(tmp_path / "t.duckdb") as store:
        store.upsert_posts(read_scored([scored]))
        store.export_parquet("posts", tmp_path / "posts.parquet")
        n = store.count()
    assert len(pd.read_parquet(tmp_path / "posts.parquet")) == n


def test_end_to_end_from_examples_to_report(tmp_path, scored):
    db = tmp_path / "trust.duckdb"
    indices, alerts, report = tmp_path / "indices.csv", tmp_path / "alerts.jsonl", tmp_path / "report.html"
    for args in (("aggregate", scored, "--db", db, "-o", indices), ("alerts", "--db", db, "-o", alerts),
                 ("report", "--db", db, "-o", report, "--png-dir", tmp_path / "png")):
        result = _cli(*args)
        assert result.returncode == 0, result.stderr
    table = pd.read_csv(indices)
    assert {"brand", "dimension", "period_start", "index", "lo", "hi", "volume", "coverage"} <= set(table.columns)
    assert set(table["dimension"]) == {"brand", "content", "interaction", "sentiment"}
    assert ((table["lo"] <= table["index"] + 1e-9) & (table["index"] <= table["hi"] + 1e-9)).all()
    page = report.read_text(encoding="utf-8")
    assert "完美日记" in page and "data:image/png;base64," in page
    # self-contained: no script, stylesheet or image fetched from anywhere
    assert not re.search(r"""(src|href)=["']https?://""", page)
    pngs = list((tmp_path / "png").glob("*.png"))
    assert len(pngs) == table["brand"].nunique()
    with TrustStore(db) as store:
        assert len(store.table("indices")) == len(table)
