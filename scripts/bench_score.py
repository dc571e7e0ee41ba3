"""Throughput and memory of `score` (read → normalize → segment → brands → classify → write).

    python scripts/bench_score.py --posts 20000 [--model models/ugc-trust-zh-small]

Posts are generated from examples/ (varied so no two are equal) into a temporary JSONL
file and scored through the same Pipeline the CLI uses. Prints posts/s, the time spent
in the model vs the text stages, and the peak RSS sampled during the run.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchutil import PeakRSS  # noqa: E402
from bench_text import generate  # noqa: E402



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--model", default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    args = parser.parse_args()
    from ugc_trust.config import load_config
    from ugc_trust.pipeline import Pipeline

    config = load_config()
    if args.batch_size:
        config["model"]["batch_size"] = args.batch_size
    monitor = PeakRSS()
    monitor.start()
    pipeline = Pipeline(config=config, stage="score", model=args.model)
    loaded = time.perf_counter()
    pipeline.classifier  # load the model before the clock starts
    load_seconds = time.perf_counter() - loaded
    with tempfile.TemporaryDirectory() as tmp:
        source, output = Path(tmp) / "bench.jsonl", Path(tmp) / "scored.jsonl"
        generate(source, args.posts, seed=1)
        classify_seconds = 0.0
        original = pipeline.classifier.label_records

        def timed(texts, domains=None):
            nonlocal classify_seconds
            start = time.perf_counter()
            result = original(texts, domains)
            classify_seconds += time.perf_counter() - start
            return result

        pipeline.classifier.label_records = timed
        started = time.perf_counter()
        counts = pipeline.run_files([source], output)
        elapsed = time.perf_counter() - started
    monitor.running = False
    print(f"posts: {counts.read}  ({counts.summary()})  cores: {psutil.cpu_count()}  model load: {load_seconds:.1f} s")
    print(f"score: {counts.read / elapsed:,.0f} posts/s ({elapsed:.1f} s; model {classify_seconds:.1f} s, "
          f"text stages and io {elapsed - classify_seconds:.1f} s)")
    print(f"peak RSS: {monitor.peak / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
