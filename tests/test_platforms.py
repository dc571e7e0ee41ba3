from datetime import datetime, timezone
from pathlib import Path

import pytest

from ugc_trust.io import InputStream
from ugc_trust.io.platforms import detect, read_any
from ugc_trust.io.timeparse import TimeParseError, to_utc_iso
from ugc_trust.records import Reject

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def items(path):
    return [item for _, item in read_any(path)]


def records(path):
    return [i for i in items(path) if not isinstance(i, Reject)]


def rejects(path):
    return [i for i in items(path) if isinstance(i, Reject)]


def test_mediacrawler_xiaohongshu_json_in_milliseconds_and_empty_texts_rejected():
    path = FIXTURES / "mediacrawler/data/xhs/json/search_comments_2025-03-01.json"
    assert detect(path).name == "mediacrawler"
    got = records(path)
    assert [r["id"] for r in got] == ["66a1f0000000000001", "66a1f0000000000002"]
    assert got[0]["platform"] == "xiaohongshu" and got[0]["kind"] == "comment"
    assert got[0]["created_at"] == "2025-03-01T03:33:20+00:00"   # 1740800000000 ms
    assert got[0]["parent_id"] is None and got[1]["parent_id"] == "66a1f0000000000001"
    assert got[0]["author"] == "u7f3a91"
    assert got[0]["extra"]["ip_location"] == "上海" and got[0]["extra"]["thread_id"] == "65f0aa000000000012"
    bad = rejects(path)
    assert len(bad) == 2 and all(r.field == "text" and r.reason == "empty text" for r in bad)


def test_mediacrawler_douyin_csv_with_bom_crlf_and_old_field_set():
    path = FIXTURES / "mediacrawler/data/douyin/csv/detail_comments_2025-03-01.csv"
    got = records(path)
    assert got[0]["id"] == "7340000000000000001" and got[0]["platform"] == "douyin"
    assert got[0]["created_at"] == "2025-03-01T03:50:00+00:00"   # seconds
    assert got[0]["author"] == "123456" and got[0]["parent_id"] is None
    assert got[1]["parent_id"] == "7340000000000000001"


def test_crawler_duplicates_count_once_in_a_stream():
    path = FIXTURES / "mediacrawler/data/douyin/csv/detail_comments_2025-03-01.csv"
    stream = InputStream([path])
    got = [r for b in stream.batches() for r in b]
    assert [r["id"] for r in got] == ["7340000000000000001", "7340000000000000002"]
    reasons = sorted(r.reason for r in stream.rejects)
    assert reasons[0].startswith("duplicate id") and stream.read == len(got) + stream.rejected


def test_mediacrawler_weibo_top_level_parent_is_own_id():
    got = records(FIXTURES / "mediacrawler/data/weibo/jsonl/search_comments_2025-03-01.jsonl")
    assert got[0]["parent_id"] is None and got[1]["parent_id"] == "5120000000000001"


def test_mediacrawler_contents_join_title_and_desc():
    [video] = records(FIXTURES / "mediacrawler/data/kuaishou/json/search_contents_2025-03-01.json")
    assert video["kind"] == "post" and video["text"].startswith("开箱测评。")
    assert video["url"].startswith("https://www.kuaishou.com")
    assert video["created_at"] == "2025-03-01T04:23:20+00:00"


def test_half_copied_json_yields_complete_records_and_quarantines_the_rest():
    path = FIXTURES / "mediacrawler/data/xhs/json/detail_comments_2025-03-02.json"
    got = items(path)
    assert [r["id"] for r in got if not isinstance(r, Reject)] == ["66a1f0000000000001", "66a1f0000000000002"]
    assert "quarantined" in got[-1].reason


def test_weibo_crawler_posts_ragged_rows_trailing_tab_beijing_time_and_placeholder():
    path = FIXTURES / "weibo_crawler/7788990011.csv"
    assert detect(path).name == "weibo_crawler"
    got = records(path)
    assert [r["id"] for r in got] == ["4999000000000001", "4999000000000002"]
    assert got[0]["created_at"] == "2025-03-01T04:30:00+00:00"
    assert got[1]["extra"]["repost_fields"][-1].startswith("源微博正文")
    [placeholder] = rejects(path)
    assert "placeholder" in placeholder.reason


def test_weibo_crawler_comments_with_relative_time():
    got = records(FIXTURES / "weibo_crawler/7788990011_comments.csv")
    assert got[0]["kind"] == "comment" and got[0]["parent_id"] == "4999000000000001"
    assert got[1]["created_at"] is not None


def test_bilibili_xml():
    path = FIXTURES / "bilibili/1176840.xml"
    got = records(path)
    assert [r["id"] for r in got] == ["45000000000000001", "45000000000000002", "45000000000000003"]
    assert all(r["room_id"] == "1176840" and r["kind"] == "danmaku" for r in got)
    assert got[0]["created_at"] == "2025-03-01T04:40:00+00:00" and got[0]["author"] == "a1b2c3d4"
    assert got[0]["extra"]["progress_s"] == pytest.approx(12.345)
    assert len(rejects(path)) == 1


def test_broken_xml_keeps_complete_danmaku_and_quarantines_the_rest():
    got = items(FIXTURES / "bilibili/broken_1176841.xml")
    good = [r for r in got if not isinstance(r, Reject)]
    assert [r["id"] for r in good] == ["45000000000000001", "45000000000000002"]
    assert "quarantined" in got[-1].reason


def test_douyin_barrage_only_chat_messages_are_posts():
    path = FIXTURES / "douyin_barrage/7350000000000000000_2025-03-01.log"
    assert detect(path).name == "douyin_barrage"
    got = records(path)
    assert [r["text"] for r in got] == ["主播这个是正品吗", "上链接上链接"]
    assert all(r["kind"] == "live_chat" and r["room_id"] == "7350000000000000000" and r["created_at"] for r in got)


def test_jd_gbk_csv_with_hash_ids_and_placeholder():
    path = FIXTURES / "shops/jd_comments_mate60.csv"
    assert detect(path).name == "shop_reviews"
    got = records(path)
    assert len(got) == 3 and got[0]["id"] == got[2]["id"] and got[0]["platform"] == "jd"
    assert got[1]["created_at"] == "2025-03-02T01:30:00+00:00"
    assert got[0]["extra"]["手机型号"].startswith("华为")
    assert "placeholder" in rejects(path)[0].reason


def test_tmall_csv():
    got = records(FIXTURES / "shops/tmall_rates.csv")
    assert [r["id"] for r in got] == ["1100000001", "1100000002"] and got[0]["platform"] == "taobao"


@pytest.mark.parametrize("value, expected", [
    (1740800000, "2025-03-01T03:33:20+00:00"),
    ("1740800000000", "2025-03-01T03:33:20+00:00"),
    ("2025-03-01", "2025-02-28T16:00:00+00:00"),
    ("2025-03-01 12:30", "2025-03-01T04:30:00+00:00"),
    ("Sat, 01 Mar 2025 12:30:00 +0800", "2025-03-01T04:30:00+00:00"),
    ("刚刚", "2025-03-10T04:00:00+00:00"),
    ("5分钟前", "2025-03-10T03:55:00+00:00"),
    ("昨天 12:30", "2025-03-09T04:30:00+00:00"),
    ("03-01 08:00", "2025-03-01T00:00:00+00:00"),
])
def test_timestamps(value, expected):
    reference = datetime(2025, 3, 10, 4, 0, tzinfo=timezone.utc)
    assert to_utc_iso(value, reference=reference) == expected


def test_unreadable_time_is_an_error():
    with pytest.raises(TimeParseError):
        to_utc_iso("sometime soon")


def _array_file(tmp_path, n=120):
    import json

    objects = [{"comment_id": str(i), "content": f"第{i}条评论，质量不错 " + "好" * (i % 17), "like_count": i * 1000003}
               for i in range(n)]
    text = json.dumps(objects, ensure_ascii=False, indent=4)
    path = tmp_path / "search_comments.json"
    path.write_text(text, encoding="utf-8")
    starts = [number for number, line in enumerate(text.splitlines(), 1) if line == "    {"]
    return path, objects, starts, text


@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
def test_json_array_is_streamed_in_chunks_with_the_same_rows_and_line_numbers(tmp_path, monkeypatch, chunk):
    from ugc_trust.io import platforms

    path, objects, starts, _ = _array_file(tmp_path)
    monkeypatch.setattr(platforms, "_JSON_CHUNK_CHARS", chunk)
    rows = list(platforms._json_rows(path))
    assert [value for _, value in rows] == objects  # numbers split across chunks stay whole
    assert [line for line, _ in rows] == starts


@pytest.mark.parametrize("chunk", [5, 1 << 20])
def test_truncated_json_array_keeps_complete_items_and_quarantines_the_rest_at_its_line(tmp_path, monkeypatch, chunk):
    from ugc_trust.io import platforms

    path, objects, starts, text = _array_file(tmp_path, n=10)
    cut = text.index('"comment_id": "7"')
    path.write_text(text[:cut + 10], encoding="utf-8")
    monkeypatch.setattr(platforms, "_JSON_CHUNK_CHARS", chunk)
    rows = list(platforms._json_rows(path))
    assert [value for _, value in rows[:-1]] == objects[:7]
    line, reject = rows[-1]
    assert isinstance(reject, Reject) and "rest quarantined" in reject.reason
    assert line == reject.line == starts[7]


def test_jsonl_line_with_a_unicode_line_separator_inside_a_string_is_one_record(tmp_path):
    from ugc_trust.io import platforms

    path = tmp_path / "comments.jsonl"
    path.write_text('{"content": "第一行\u2028第二行"}\n{"content": "下一条"}\n', encoding="utf-8")
    assert [value["content"] for _, value in platforms._json_rows(path)] == ["第一行\u2028第二行", "下一条"]
