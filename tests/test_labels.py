"""The team's label files: valid values, no corpus text copied, second readings of read posts."""
import json

import pytest

from ugc_trust.model import labels

ALLOWED = {"brand": {"absent", "pos", "neu", "neg"}, "content": {"absent", "pos", "neu", "neg"},
           "interaction": {"absent", "pos", "neu", "neg"}, "sentiment": {"pos", "neu", "neg"}}


def _rows(name):
    with (labels.LABELS_DIR / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.mark.parametrize("name", labels.POOL_FILES)
def test_pool_files_hold_ids_and_valid_labels_only(name):
    rows = _rows(name)
    assert rows
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), f"{name}: an id labeled twice"
    for r in rows:
        assert "text" not in r, f"{name}: {r['id']} copies corpus text"
        assert r.get("annotator"), f"{name}: {r['id']} has no annotator"
        for field, values in ALLOWED.items():
            assert r[field] in values, f"{name}: {r['id']} {field}={r[field]!r}"


@pytest.mark.parametrize("name", labels.POOL_FILES)
def test_second_readings_read_posts_of_their_round_by_another_annotator(name):
    second = labels.LABELS_DIR / name.replace("_pools", "_second")
    if not second.exists():
        pytest.skip(f"{name} has no second reading")
    first = {r["id"]: r for r in _rows(name)}
    rows = _rows(second.name)
    assert rows and all(r["id"] in first for r in rows)
    assert all(r["annotator"] != first[r["id"]]["annotator"] for r in rows)
