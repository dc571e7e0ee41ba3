import gzip
import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ugc_trust.errors import InputError
from ugc_trust.io import InputStream, detect_encoding, read_raw
from ugc_trust.records import Reject

RECORDS = [
    {"id": "1", "text": "質量很好，物流很快", "platform": "jd"},
    {"id": "2", "text": "客服态度差", "platform": "jd", "created_at": "2026-03-01T10:00:00+08:00"},
    {"id": 3, "text": "还行吧", "created_at": 1767225600},
]


def _write_jsonl(path, lines, encoding="utf-8"):
    data = "\n".join(lines) + "\n"
    if str(path).endswith(".gz"):
        with gzip.open(path, "wb") as handle:
            handle.write(data.encode(encoding))
    else:
        path.write_bytes(data.encode(encoding))
    return path


def _collect(paths):
    stream = InputStream([*paths])
    records = [r for batch in stream.batches() for r in batch]
    return stream, records


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_jsonl_in_every_supported_encoding(tmp_path, encoding):
    path = _write_jsonl(tmp_path / "in.jsonl", [json.dumps(r, ensure_ascii=False) for r in RECORDS], encoding)
    stream, records = _collect([path])
    assert [r["text"] for r in records] == [r["text"] for r in RECORDS]
    assert stream.read == 3 and stream.rejected == 0


def test_gzip_jsonl(tmp_path):
    path = _write_jsonl(tmp_path / "in.jsonl.gz", [json.dumps(r, ensure_ascii=False) for r in RECORDS])
    _, records = _collect([path])
    assert len(records) == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_with_quoted_commas_and_newlines(tmp_path, encoding):
    path = tmp_path / "in.csv"
    path.write_bytes('id,text,platform\n1,"好用，推荐",jd\n2,"第一行\n第二行",jd\n3,还行,taobao\n'.encode(encoding))
    stream, records = _collect([path])
    assert [r["text"] for r in records] == ["好用，推荐", "第一行\n第二行", "还行"]
    assert [r["_source"][1] for r in records] == [2, 3, 5]


def test_parquet(tmp_path):
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["1", "2"], "text": ["好", "差"]}), path)
    _, records = _collect([path])
    assert [r["id"] for r in records] == ["1", "2"]


def test_created_at_is_parsed_to_utc(tmp_path):
    path = _write_jsonl(tmp_path / "in.jsonl", [json.dumps(r, ensure_ascii=False) for r in RECORDS])
    _, records = _collect([path])
    assert records[1]["created_at"] == "2026-03-01T02:00:00+00:00"
    assert records[2]["created_at"] == "2026-01-01T00:00:00+00:00"


def test_bad_records_are_rejected_with_file_line_field_and_reason(tmp_path):
    lines = [
        json.dumps({"id": "1", "text": "好"}),
        '{"id": "2", "text": "断了',
        json.dumps({"text": "没有id"}),
        json.dumps({"id": "4"}),
        json.dumps({"id": "5", "text": 42}),
        json.dumps({"id": "6", "text": "   "}),
        json.dumps({"id": "1", "text": "重复"}),
        json.dumps({"id": "8", "text": "好", "platform": "myspace"}),
        json.dumps({"id": "9", "text": "好", "created_at": "yesterday-ish"}),
        "[1, 2]",
    ]
    path = _write_jsonl(tmp_path / "in.jsonl", lines)
    stream, records = _collect([path])
    assert [r["id"] for r in records] == ["1"]
    rejects = {r.line: r for r in stream.rejects}
    assert set(rejects) == set(range(2, 11))
    assert "broken JSON" in rejects[2].reason
    assert rejects[3].field == "id" and "missing" in rejects[3].reason
    assert rejects[4].field == "text" and "missing" in rejects[4].reason
    assert rejects[5].field == "text" and "string" in rejects[5].reason
    assert rejects[6].field == "text" and "empty" in rejects[6].reason
    assert rejects[7].field == "id" and "duplicate" in rejects[7].reason
    assert rejects[8].field == "platform"
    assert rejects[9].field == "created_at"
    assert all(r.source == str(path) for r in stream.rejects)
    assert "in.jsonl:3: field 'id'" in rejects[3].message()


def test_undecodable_line_is_rejected_not_fatal(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id": "1", "text": "\xe5\xa5\xbd"}\n{"id": "2", "text": "\xff\xfe\xfa"}\n{"id": "3", "text": "ok"}\n')
    stream, records = _collect([path])
    assert [r["id"] for r in records] == ["1", "3"]
    assert stream.rejects[0].line == 2 and "undecodable" in stream.rejects[0].reason


def test_missing_file_and_unknown_format_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_raw(tmp_path / "nope.jsonl")
    (tmp_path / "data.xml").write_text("<a/>")
    with pytest.raises(InputError, match="unknown format"):
        read_raw(tmp_path / "data.xml")


def test_encoding_detection():
    assert detect_encoding("你好".encode("utf-8")) == "utf-8"
    assert detect_encoding("你好".encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding("中文评论，质量很好".encode("gbk") * 3) == "gb18030"
    assert detect_encoding('{"id": 1}'.encode("utf-16")) == "utf-16"


def _malformed_line(rng: random.Random, index: int) -> bytes:
    good = {"id": f"g{index}", "text": "质量不错" * rng.randint(1, 3)}
    choice = rng.randrange(12)
    if choice == 0:
        return json.dumps(good, ensure_ascii=False).encode()[: rng.randint(1, 20)]
    if choice == 1:
        return json.dumps({"text": "无id"}, ensure_ascii=False).encode()
    if choice == 2:
        return json.dumps({"id": f"x{index}", "text": rng.choice([None, 1, [], {}, True, ""])}).encode()
    if choice == 3:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
    if choice == 4:
        return json.dumps({"id": "dup", "text": "重复"}, ensure_ascii=False).encode()
    if choice == 5:
        return json.dumps({"id": f"k{index}", "text": "好", "kind": rng.choice(["x", 3, "danmaku"])}).encode()
    if choice == 6:
        return json.dumps([1, 2, 3]).encode()
    if choice == 7:
        return json.dumps({"id": f"t{index}", "text": "好", "created_at": rng.choice(["bad", 1e30, "2026-01-01"])}).encode()
    if choice == 8:
        return "\ufeff".encode() + json.dumps(good).encode()
    if choice == 9:
        return json.dumps(good, ensure_ascii=False).encode("gbk", errors="ignore")
    return json.dumps(good, ensure_ascii=False).encode()


def test_fuzz_10000_malformed_lines_are_all_accounted_for(tmp_path):
    rng = random.Random(1234)
    lines = [_malformed_line(rng, i).replace(b"\n", b" ").replace(b"\r", b" ") for i in range(10_000)]
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    non_blank = sum(1 for line in lines if line.strip())
    stream, records = _collect([path])
    assert stream.read == len(records) + stream.rejected
    assert stream.read == non_blank
    assert 0 < stream.rejected < stream.read


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_the_reader(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "in.jsonl"
    path.write_bytes(data)
    stream, records = _collect([path])
    assert stream.read == len(records) + stream.rejected
    for item in stream.rejects:
        assert isinstance(item, Reject) and item.line >= 1
