import pytest

from ugc_trust import normalize, segment, split_clauses, words
from ugc_trust.segment import FloodCollapser, collapse_floods, flood_key


def test_clauses_split_at_punctuation_and_contrast_connectives():
    text = "质量很好但是客服爱答不理。物流还行，不过包装有点简陋！"
    clauses = [c.text for c in split_clauses(text)]
    assert clauses[0] == "质量很好"
    assert clauses[1].startswith("但是客服")
    assert any(c.startswith("不过") for c in clauses)


def test_clause_offsets_point_into_the_normalized_text():
    text = "东西不错，但快递三天都没更新，问客服也不回！！！就是价格有点贵"
    for clause in split_clauses(text):
        assert text[clause.start:clause.end] == clause.text
        assert clause.text.strip()


def test_ambiguous_connective_only_splits_after_a_comma():
    assert len(split_clauses("就是这个味道太好吃了")) == 1


def test_segment_adds_clauses_spans_and_words():
    [record] = segment(normalize([{"id": "1", "text": "口红yyds，但是客服太慢了"}]))
    assert record["clauses"] == ["口红yyds", "但是客服太慢了"]
    assert [record["text_norm"][s:e] for s, e in record["clause_spans"]] == record["clauses"]
    assert "yyds" in record["words"]


def test_slang_and_brands_are_single_words():
    tokens = words("完美日记的口红绝绝子，踩雷了，割韭菜的智商税[狗头]")
    for word in ("完美日记", "绝绝子", "踩雷", "割韭菜", "智商税", "[狗头]"):
        assert word in tokens


def test_flood_key_treats_repetitions_alike():
    assert flood_key("666") == flood_key("6666666") == flood_key("66")
    assert flood_key("扣1扣1") == flood_key("扣1")
    assert flood_key("哈哈哈") == flood_key("哈哈哈哈哈")
    assert flood_key("[赞][赞]") == flood_key("[笑哭]") == "<emoji>"


def _chat(texts, start=0, step=2, room="r1"):
    return normalize([
        {"id": f"m{i}", "text": t, "kind": "live_chat", "platform": "douyin", "room_id": room,
         "created_at": f"2026-11-01T12:{(start + i * step) // 60:02d}:{(start + i * step) % 60:02d}+00:00"}
        for i, t in enumerate(texts)
    ])


def test_floods_collapse_into_one_record_that_keeps_every_member():
    records = _chat(["主播好", "666", "6666", "这个多少钱", "666666", "66", "扣1", "扣1扣1", "扣1"])
    out = collapse_floods(records)
    floods = [r for r in out if r.get("flood")]
    six = next(r for r in floods if r["flood"]["key"] == "6")
    assert six["flood"]["count"] == 4
    assert six["flood"]["member_ids"] == ["m1", "m2", "m4", "m5"]
    kou = next(r for r in floods if r["flood"]["key"] == "扣1")
    assert kou["flood"]["count"] == 3
    # nothing lost: every input id is in the output, once
    ids = [i for r in out for i in (r["flood"]["member_ids"] if r.get("flood") else [r["id"]])]
    assert sorted(ids) == sorted(r["id"] for r in records)


def test_messages_far_apart_in_time_do_not_flood():
    records = _chat(["666", "666", "666"], step=120)
    out = collapse_floods(records, FloodCollapser())
    assert len(out) == 3 and not any(r.get("flood") for r in out)


def test_streams_are_kept_apart_by_room_and_posts_pass_through():
    records = _chat(["666"] * 3, room="a") + _chat(["666"] * 3, room="b") + normalize([{"id": "p", "text": "666"}])
    out = collapse_floods(records)
    assert [r["flood"]["count"] for r in out if r.get("flood")] == [3, 3]
    assert out[-1]["id"] == "p" and not out[-1].get("flood")


def test_long_repeated_messages_are_not_floods():
    text = "这个主播讲得很清楚，我已经下单了，希望质量和直播间说的一样好"
    out = collapse_floods(_chat([text, text, text]))
    assert len(out) == 3


def _room(n_before: int, n_flood: int, n_after: int) -> list[dict]:
    """A livestream room: questions, then a 666 flood one second apart, then more questions.

    The questions are longer than a flood message can be, so only the 666s may flood."""
    texts = [f"第{i}个问题：这款外套是什么面料的，洗了会不会缩水呀" for i in range(n_before)] + ["666"] * n_flood \
        + [f"主播第{i}次试穿这件外套了，能不能换个颜色看看效果" for i in range(n_after)]
    return [{"id": f"c{i}", "text": t, "kind": "live_chat", "room_id": "r1", "platform": "douyin",
             "created_at": f"2026-03-01T10:{i // 60:02d}:{i % 60:02d}+08:00"} for i, t in enumerate(texts)]


def test_hold_open_keeps_back_only_floods_that_may_continue():
    records = _room(5, 4, 0)
    ready, held = FloodCollapser().hold_open(records)
    assert [r["id"] for r in held] == ["c5", "c6", "c7", "c8"]
    assert [r["id"] for r in ready] == ["c0", "c1", "c2", "c3", "c4"]
    ready, held = FloodCollapser().hold_open(_room(5, 4, 40))   # the flood ended 40 s ago
    assert held == [] and len(ready) == 49


@pytest.mark.parametrize("chunk_rows", [7, 10, 2000])
def test_a_flood_straddling_batches_stays_one_flood(tmp_path, chunk_rows):
    import json

    from ugc_trust.config import load_config
    from ugc_trust.pipeline import Pipeline

    source = tmp_path / "room.jsonl"
    records = _room(8, 9, 5)   # with 7 or 10 rows per batch the flood crosses a boundary
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    config = load_config()
    config["io"]["chunk_rows"] = chunk_rows
    counts = Pipeline(config=config, stage="segment").run_files([source], tmp_path / "out.jsonl")
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").open(encoding="utf-8")]
    floods = [r for r in rows if r.get("flood")]
    assert len(floods) == 1 and floods[0]["flood"]["count"] == 9
    assert floods[0]["flood"]["member_ids"] == [f"c{i}" for i in range(8, 17)]
    assert counts.read == counts.written == 22 and counts.output_rows == 14
    ids = [i for r in rows for i in (r["flood"]["member_ids"] if r.get("flood") else [r["id"]])]
    assert sorted(ids) == sorted(r["id"] for r in records)
