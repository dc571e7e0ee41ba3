"""Reading speed and memory of a large MediaCrawler JSON array export (the adapters' reader).

    python scripts/bench_read.py --items 300000

Writes one indented JSON array of comments (MediaCrawler's `.json` layout) to a temporary
directory, reads it through `ugc_trust.io.platforms.read_any` (detection, streaming array
decode, field mapping, time parsing) and prints items/s, the file size and the peak RSS.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchutil import PeakRSS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=300000)
    args = parser.parse_args()
    from ugc_trust.io.platforms import read_any

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data" / "xhs" / "json"
        folder.mkdir(parents=True)
        path = folder / "search_comments_2025-03-01.json"
        with path.open("w", encoding="utf-8") as handle:
            handle.write("[\n")
            for i in range(args.items):
                row = {"comment_id": str(i), "note_id": f"n{i // 50}", "content": f"第{i}条：质量不错，客服回复也及时，物流很快",
                       "create_time": 1740787200000 + i * 1000, "nickname": f"user{i}", "like_count": str(i % 97)}
                handle.write(("" if i == 0 else ",\n") + json.dumps(row, ensure_ascii=False, indent=4))
            handle.write("\n]\n")
        size_mb = path.stat().st_size / 2 ** 20
        monitor = PeakRSS()
        monitor.start()
        started = time.perf_counter()
        read = sum(1 for _ in read_any(path))
        seconds = time.perf_counter() - started
        peak = monitor.stop()
    print(f"items: {read} from a {size_mb:.0f} MB JSON array")
    print(f"read: {read / seconds:,.0f} items/s ({seconds:.1f} s)")
    print(f"peak RSS: {peak / 2 ** 20:.0f} MB")


if __name__ == "__main__":
    main()
