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


def test_aspect_sentences_take_the_polarity_all_their_aspects_share(tmp_path):
    import json as _json

    from ugc_trust.model import corpora

    aspects = tmp_path / "aspects"
    aspects.mkdir()
    lines = {"camera.train": [("画 质 好 ， 电 池 差", "Positive"), ("画 质 好 ， 电 池 差", "Negative"),
                              ("对 焦 快", "Positive"), ("对 焦 快", "Positive")],
             "camera.test": [("太 重 了", "Negative")]}
    for name in ("camera", "car", "notebook", "phone", "hair"):
        for split in ("train", "test"):
            with (aspects / f"{name}.{split}.jsonl").open("w", encoding="utf-8") as handle:
                for sentence, polarity in lines.get(f"{name}.{split}", []):
                    handle.write(_json.dumps({"sentence": sentence, "polarity": polarity}, ensure_ascii=False) + "\n")
    for split in ("train", "dev", "test"):
        (aspects / f"restaurant_zhang_aste.{split}.txt").write_text(
            "好 吃 不 贵####[((0, 2), (3, 5), 'POS'), ((0, 2), (3, 5), 'POS')]\n"
            "服 务 慢 ， 菜 好 吃####[((0, 2), (2, 3), 'NEG'), ((5, 6), (6, 9), 'POS')]\n" if split == "test" else "",
            encoding="utf-8")
    rows = {r["id"]: (r["text"], r["set"], r["polarity"]) for r in corpora.aspect_sentence_polarity(tmp_path)}
    assert rows == {
        "absa-camera-train-L1": ("画质好，电池差", "camera", "mixed"),
        "absa-camera-train-L3": ("对焦快", "camera", "pos"),
        "absa-camera-test-L1": ("太重了", "camera", "neg"),
        "absa-rest-test-L1": ("好吃不贵", "restaurant", "pos"),
        "absa-rest-test-L2": ("服务慢，菜好吃", "restaurant", "mixed"),
    }
    # The ids are the ones the trust-label pools use for the same sentences.
    assert set(rows) == {r["id"] for r in corpora.aspect_sentences(tmp_path)}


def test_round_12_holds_evaluation_posts_only():
    from ugc_trust.model.corpora import split_of

    rows = _rows("trust_v12_pools.jsonl")
    assert len(rows) == 575
    assert {split_of(r["id"]) for r in rows} == {"dev", "test"}
