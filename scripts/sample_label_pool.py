"""Draw the pools of unlabeled posts that annotators read for data/labels/.

Keyword lists here only *select candidates* so that rare trust dimensions are
over-represented in what people read; they never produce labels. Every pool is
seeded, so the same ids come out on every run.

    python scripts/sample_label_pool.py --shared ../shared/data --out /tmp/pools
"""
from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

COMMERCE = re.compile(
    r"买|购|店|商家|客服|快递|物流|发货|退|换货|质量|正品|假货|价格|便宜|贵|品牌|产品|"
    r"广告|推荐|种草|测评|主播|链接|直播间|下单|包装|售后|宣传|评价|好评|差评|优惠|福袋|上车"
)


def read_jsonl(path: Path):
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, 1):
            yield line_number, json.loads(line)


def pick(rng: random.Random, rows: list, n_keyword: int, n_random: int) -> list:
    """n_keyword rows whose text matches COMMERCE, then n_random of the rest."""
    keyword = [r for r in rows if COMMERCE.search(r["text"])]
    chosen = rng.sample(keyword, min(n_keyword, len(keyword)))
    taken = {r["id"] for r in chosen}
    rest = [r for r in rows if r["id"] not in taken]
    chosen += rng.sample(rest, min(n_random, len(rest)))
    rng.shuffle(chosen)
    return chosen


def short_enough(text: str) -> bool:
    return 2 <= len(text) <= 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    data = args.shared
    args.out.mkdir(parents=True, exist_ok=True)
    pools: dict[str, list] = {}

    rows = [dict(id=r["id"], text=r["text"], source="weibo_senti_part")
            for _, r in read_jsonl(data / "sentiment/weibo_senti_part.jsonl") if short_enough(r["text"])]
    pools["weibo_senti"] = pick(rng, rows, 120, 130)

    # The COVID Weibo file is large: a seeded reservoir of keyword and plain posts.
    keyword, plain = [], []
    for i, (_, r) in enumerate(read_jsonl(data / "text/weibo_covid19_2020.jsonl")):
        if not short_enough(r["text"]) or i % 7:
            continue
        (keyword if COMMERCE.search(r["text"]) else plain).append(
            dict(id=r["id"], text=r["text"], source="weibo_covid19_2020"))
    pools["weibo_covid"] = rng.sample(keyword, 150) + rng.sample(plain, 100)

    rows = [dict(id=r["id"], text=r["text"], source="bilibili_danmaku")
            for _, r in read_jsonl(data / "text/bilibili_danmaku.jsonl") if short_enough(r["text"])]
    pools["danmaku"] = pick(rng, rows, 80, 170)

    rows = [dict(id=r["id"], text=r["text"], source="douyin_livechat", room_id=r.get("room_id"))
            for _, r in read_jsonl(data / "text/douyin_livechat.jsonl") if short_enough(r["text"])]
    pools["livechat"] = pick(rng, rows, 150, 100)

    rows = [dict(id=r["id"], text=r["text"], source="eprstmt_unlabeled")
            for _, r in read_jsonl(data / "text/eprstmt_unlabeled_reviews.jsonl") if short_enough(r["text"])]
    pools["eprstmt"] = pick(rng, rows, 150, 100)

    # Aspect sets have no ids: a sentence is named by file and first line number.
    seen, rows = set(), []
    for line_number, r in read_jsonl(data / "aspects/hair.train.jsonl"):
        text = r["sentence"].replace(" ", "")
        if text not in seen and short_enough(text):
            seen.add(text)
            rows.append(dict(id=f"absa-hair-train-L{line_number}", text=text, source="absa_hair"))
    pools["hair"] = rng.sample(rows, 200)

    rows = []
    with (data / "aspects/restaurant_zhang_aste.train.txt").open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, 1):
            text = line.split("####")[0].replace(" ", "")
            if short_enough(text):
                rows.append(dict(id=f"absa-rest-train-L{line_number}", text=text, source="absa_restaurant"))
    pools["restaurant"] = rng.sample(rows, 100)

    for name, rows in pools.items():
        with (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for r in rows:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)}")


if __name__ == "__main__":
    main()
