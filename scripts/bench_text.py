"""Throughput and memory of the text stages: normalize + segment (clauses) + words.

    python scripts/bench_text.py --posts 100000 --workers 2

Posts are generated from examples/ (each example text varied with a counter and a
random cut so caches cannot help); they are streamed from a temporary JSONL file
through the same reader the CLI uses. Prints posts/s and the peak RSS sampled during
the run (of the parent and the workers), and RSS at 25/50/75/100% to show memory is flat.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from benchutil import PeakRSS  # noqa: E402


def example_texts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "examples").glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record.get("text"), str) and record["text"].strip():
                texts.append(record["text"])
    return texts


def generate(path: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    texts = example_texts()
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            text = rng.choice(texts)
            cut = rng.randint(len(text) // 2, len(text)) if len(text) > 8 else len(text)
            handle.write(json.dumps({"id": str(i), "text": f"{text[:cut]} 第{i}条", "platform": "jd"},
                                    ensure_ascii=False) + "\n")


def _work(batch: list[dict]) -> int:
    from ugc_trust.normalize import default_normalizer
    from ugc_trust.segment import split_clauses, words

    normalizer = default_normalizer()
    for record in batch:
        text = normalizer(record["text"], record.get("lang")).text
        split_clauses(text)
        words(text)
    return len(batch)


def _init_worker() -> None:
    _work([{"text": "预热"}])



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    from ugc_trust.io import InputStream

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.jsonl"
        generate(path, args.posts)
        stream = InputStream([path], batch_size=args.batch)
        monitor = PeakRSS()
        monitor.start()
        checkpoints = {}
        done = 0
        started = None
        pool = mp.get_context("fork").Pool(args.workers, initializer=_init_worker) if args.workers > 1 else None
        try:
            started = time.perf_counter()
            results = pool.imap(_work, stream.batches()) if pool else map(_work, stream.batches())
            for count in results:
                done += count
                quarter = int(4 * done / args.posts)
                if quarter and quarter not in checkpoints:
                    checkpoints[quarter] = monitor.peak
            elapsed = time.perf_counter() - started
        finally:
            if pool:
                pool.close()
                pool.join()
            monitor.running = False
    print(f"posts: {done}  workers: {args.workers}  cores: {psutil.cpu_count()}")
    print(f"normalize + clauses + words: {done / elapsed:,.0f} posts/s ({elapsed:.1f} s)")
    print("peak RSS at 25/50/75/100%: " + " / ".join(f"{checkpoints.get(q, 0) / 2**20:.0f} MB" for q in (1, 2, 3, 4)))
    print(f"peak RSS (parent + workers): {monitor.peak / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
