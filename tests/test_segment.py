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
