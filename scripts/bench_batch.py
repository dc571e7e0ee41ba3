"""Throughput and memory of `ugc-trust batch` over an inbox of mixed crawler exports.

    python scripts/bench_batch.py --posts 200000

Writes an inbox of MediaCrawler JSON and CSV, Bilibili danmaku XML, DouyinBarrageGrab
logs, JD review CSV (GBK) and plain JSONL, with texts drawn from examples/ and varied,
then runs one batch into a fresh DuckDB file. Prints posts/s and the peak RSS.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchutil import PeakRSS  # noqa: E402
from bench_text import example_texts  # noqa: E402


def write_inbox(inbox: Path, n: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    texts = example_texts()
    kinds = ["mc_json", "mc_csv", "xml", "barrage", "jd", "jsonl"]
    per_file = 5000
    written, file_number = 0, 0
    base = 1740800000
    while written < n:
        kind = kinds[file_number % len(kinds)]
        count = min(per_file, n - written)
        items = [(written + i, f"{rng.choice(texts)} #{written + i}") for i in range(count)]
        if kind == "mc_json":
            path = inbox / f"data/xhs/json/search_comments_{file_number}.json"
            rows = [{"comment_id": f"x{i}", "content": t, "create_time": (base + i) * 1000, "note_id": "n1",
                     "creator_hash": f"u{i % 997}", "parent_comment_id": 0} for i, t in items]
            data = json.dumps(rows, ensure_ascii=False).encode()
        elif kind == "mc_csv":
            path = inbox / f"data/douyin/csv/detail_comments_{file_number}.csv"
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(["comment_id", "create_time", "aweme_id", "content", "user_id", "parent_comment_id"])
            writer.writerows([f"d{i}", base + i, "a1", t, f"u{i % 991}", "0"] for i, t in items)
            data = ("\ufeff" + buffer.getvalue()).encode()
        elif kind == "xml":
            path = inbox / f"bilibili/{file_number}.xml"
            body = "".join(f'<d p="{i % 600}.5,1,25,16777215,{base + i},0,h{i % 983},{i}">'
                           f"{t.replace('&', '&amp;').replace('<', '&lt;')}</d>\n" for i, t in items)
            data = f'<?xml version="1.0" encoding="UTF-8"?><i><chatid>{file_number}</chatid>\n{body}</i>\n'.encode()
        elif kind == "barrage":
            path = inbox / f"douyin_live/room{file_number}.log"
            data = "".join(json.dumps({"Type": 1, "Data": json.dumps({"MsgId": i, "Content": t, "RoomId": file_number,
                                                                        "User": {"Id": i % 977}}, ensure_ascii=False)},
                                      ensure_ascii=False) + "\n" for i, t in items).encode()
        elif kind == "jd":
            path = inbox / f"shops/jd_{file_number}.csv"
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(["评论ID", "评论内容", "得分", "评价时间"])
            writer.writerows([f"j{i}", t, 5, "2025-03-01 10:00:00"] for i, t in items)
            data = buffer.getvalue().encode("gb18030")
        else:
            path = inbox / f"plain/posts_{file_number}.jsonl"
            data = "".join(json.dumps({"id": f"p{i}", "text": t, "platform": "weibo", "created_at": base + i},
                                      ensure_ascii=False) + "\n" for i, t in items).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += count
        file_number += 1
    return file_number



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    from ugc_trust.batch import BatchSettings, run_once

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = write_inbox(tmp / "inbox", args.posts)
        settings = BatchSettings.load(None, inbox=str(tmp / "inbox"), db=str(tmp / "trust.duckdb"),
                                      output_dir=str(tmp / "out"), model=args.model)
        monitor = PeakRSS()
        monitor.start()
        started = time.perf_counter()
        run = run_once(settings, log=lambda m: None)
        elapsed = time.perf_counter() - started
        monitor.running = False
    print(f"files: {files}  posts read: {run['read']} = written {run['written']} + rejected {run['rejected']}")
    print(f"batch: {run['read'] / elapsed:,.0f} posts/s ({elapsed:.0f} s, model load, indices, alerts and report included)")
    print(f"peak RSS: {monitor.peak / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
