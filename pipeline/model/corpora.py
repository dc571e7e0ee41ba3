"""The shared training corpora (../shared/data) as streams of (corpus, id, text), and the split rule.

One rule splits every labeled or unlabeled row by its id, the same in every script:
`split_of(id)` is `test` for 10%, `dev` for 10% and `train` for the rest, from a hash of
the id. Pretraining reads only `train` rows, so no text of a dev or test row is ever
seen by any model before evaluation.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Iterator

DEFAULT_SHARED = Path(os.environ.get("UGC_TRUST_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))


def split_of(record_id: str) -> str:
    bucket = int(hashlib.md5(record_id.encode("utf-8")).hexdigest()[:8], 16) % 10
    return "test" if bucket == 0 else "dev" if bucket == 1 else "train"


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def shopping_reviews(shared: Path = DEFAULT_SHARED) -> Iterator[dict]:
    """online_shopping_10_cats: {id, text, label (1 pos / 0 neg), cat}."""
    with (shared / "sentiment/online_shopping_train.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("review"):
                yield {"id": row["id"], "text": row["review"], "label": int(row["label"]), "cat": row["cat"]}


def weibo_sentiment(shared: Path = DEFAULT_SHARED) -> Iterator[dict]:
    """weibo_senti_100k part: {id, text, label}. Labels come from emoticons: strip them before training."""
    for row in _jsonl(shared / "sentiment/weibo_senti_part.jsonl"):
        yield {"id": row["id"], "text": row["text"], "label": int(row["label"])}


def aspect_sentences(shared: Path = DEFAULT_SHARED) -> Iterator[dict]:
    """Unique sentences of the aspect sets, named by file and first line (they carry no ids)."""
    for name in ("camera", "car", "notebook", "phone", "hair"):
        for split in ("train", "test"):
            seen = set()
            path = shared / f"aspects/{name}.{split}.jsonl"
            with path.open(encoding="utf-8") as handle:
                for number, line in enumerate(handle, 1):
                    text = json.loads(line)["sentence"].replace(" ", "")
                    if text not in seen:
                        seen.add(text)
                        yield {"id": f"absa-{name}-{split}-L{number}", "text": text}
    for split in ("train", "dev", "test"):
        with (shared / f"aspects/restaurant_zhang_aste.{split}.txt").open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                text = line.split("####")[0].replace(" ", "")
                if text:
                    yield {"id": f"absa-rest-{split}-L{number}", "text": text}


ASTE_POLARITY = {"POS": "pos", "NEG": "neg", "NEU": "neu"}


def aspect_sentence_polarity(shared: Path = DEFAULT_SHARED) -> Iterator[dict]:
    """The aspect sets' sentences (ids as aspect_sentences) with the polarity of all their
    aspects: "pos" or "neg" when every aspect agrees, else "mixed" (or "neu" when all neutral).
    `set` names the source: camera, car, notebook, phone, hair, or restaurant."""
    def verdict(polarities: list[str]) -> str:
        unique = set(polarities)
        return unique.pop() if len(unique) == 1 else "mixed"

    for name in ("camera", "car", "notebook", "phone", "hair"):
        for split in ("train", "test"):
            first, polarities = {}, {}
            with (shared / f"aspects/{name}.{split}.jsonl").open(encoding="utf-8") as handle:
                for number, line in enumerate(handle, 1):
                    row = json.loads(line)
                    text = row["sentence"].replace(" ", "")
                    first.setdefault(text, number)
                    polarities.setdefault(text, []).append(row["polarity"][:3].lower())
            for text, number in first.items():
                yield {"id": f"absa-{name}-{split}-L{number}", "text": text, "set": name,
                       "polarity": verdict(polarities[text])}
    for split in ("train", "dev", "test"):
        with (shared / f"aspects/restaurant_zhang_aste.{split}.txt").open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                text, _, triples = line.rstrip("\n").partition("####")
                text = text.replace(" ", "")
                if text:
                    found = [ASTE_POLARITY[p] for p in re.findall(r"'(POS|NEG|NEU)'", triples)]
                    yield {"id": f"absa-rest-{split}-L{number}", "text": text, "set": "restaurant",
                           "polarity": verdict(found) if found else "mixed"}


def unlabeled(name: str, shared: Path = DEFAULT_SHARED) -> Iterator[dict]:
    files = {
        "weibo_covid19_2020": "text/weibo_covid19_2020.jsonl",
        "bilibili_danmaku": "text/bilibili_danmaku.jsonl",
        "douyin_livechat": "text/douyin_livechat.jsonl",
        "eprstmt_unlabeled_reviews": "text/eprstmt_unlabeled_reviews.jsonl",
    }
    for row in _jsonl(shared / files[name]):
        yield row


def pretraining_texts(shared: Path = DEFAULT_SHARED, weibo_every: int = 4) -> Iterator[tuple[str, str, str]]:
    """(corpus, id, raw text) of every `train` row used for MLM pretraining.

    The COVID Weibo file is 10× the rest; every `weibo_every`-th row is taken so that
    the shopping, review, chat and danmaku text the product reads is not drowned.
    """
    for row in shopping_reviews(shared):
        if split_of(row["id"]) == "train":
            yield "online_shopping_10_cats", row["id"], row["text"]
    for row in weibo_sentiment(shared):
        if split_of(row["id"]) == "train":
            yield "weibo_senti_part", row["id"], row["text"]
    for row in aspect_sentences(shared):
        if split_of(row["id"]) == "train":
            yield "aspects", row["id"], row["text"]
    for name in ("eprstmt_unlabeled_reviews", "douyin_livechat", "bilibili_danmaku", "weibo_covid19_2020"):
        for index, row in enumerate(unlabeled(name, shared)):
            if name == "weibo_covid19_2020" and index % weibo_every:
                continue
            if split_of(row["id"]) != "train":
                continue
            yield name, row["id"], row["text"]
            if name == "douyin_livechat" and row.get("reply"):
                yield name, row["id"] + ":reply", row["reply"]
