"""Training and evaluation examples: trust labels (v1 + the team's v2) and the sentiment corpora.

Label files hold ids; the text of a pool id is looked up in ../shared/data here, so
no corpus text is ever copied into the project. Every example carries its fixed split
(`corpora.split_of`).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..config import PROJECT_ROOT
from . import corpora

LABELS_DIR = PROJECT_ROOT / "data" / "labels"
TRUST_FIELDS = ("brand", "content", "interaction", "sentiment")
# Label files whose rows are ids of posts in ../shared/data (v2: session 2; v3: content- and
# interaction-rich posts read in session 3; v4: content-trust posts, v5: livestream chat and
# danmaku, read in session 4; v6: content-trust posts for its rare neu and pos classes, session 5;
# v7: complaints phrased as questions, litotes, and posts judging information and goods together,
# session 6; v8: brand trust and its rare neu class — questions about the goods, middling verdicts,
# posts naming a brand — session 7; v9: interaction and content neu — questions to the seller or
# host, mixed accounts of the service, plain mentions of the information — session 7; v10: social and
# chat posts at random, for their three-class sentiment; v11: reviews at random — session 7; v12: posts
# of the dev and test splits only, every cue and a random share, for steadier evaluation — session 8).
POOL_FILES = ("trust_v2_pools.jsonl", "trust_v3_pools.jsonl", "trust_v4_pools.jsonl",
              "trust_v5_pools.jsonl", "trust_v6_pools.jsonl", "trust_v7_pools.jsonl",
              "trust_v8_pools.jsonl", "trust_v9_pools.jsonl", "trust_v10_pools.jsonl",
              "trust_v11_pools.jsonl", "trust_v12_pools.jsonl")
_EMOTICON_CODE = re.compile(r"\[[^\[\]\s]{1,12}\]")


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _pool_texts(ids: set[str], shared: Path) -> dict[str, str]:
    """Text of each pool id, read from the shared corpora (streamed; only wanted ids kept)."""
    found: dict[str, str] = {}
    if any(i.startswith("shop-") for i in ids):  # the shopping corpus is large: read it only when needed
        for row in corpora.shopping_reviews(shared):
            if row["id"] in ids:
                found[row["id"]] = row["text"]
    for row in corpora.weibo_sentiment(shared):
        if row["id"] in ids:
            found[row["id"]] = row["text"]
    for name in ("weibo_covid19_2020", "bilibili_danmaku", "douyin_livechat", "eprstmt_unlabeled_reviews"):
        for row in corpora.unlabeled(name, shared):
            if row["id"] in ids:
                found[row["id"]] = row["text"]
    for row in corpora.aspect_sentences(shared):
        if row["id"] in ids:
            found[row["id"]] = row["text"]
    return found


def trust_examples(shared: Path = corpora.DEFAULT_SHARED, labels_dir: Path = LABELS_DIR) -> list[dict]:
    """Every trust-labeled post: {id, text, brand, content, interaction, sentiment, source, domain, split}."""
    examples: list[dict] = []
    for row in _jsonl(shared / "trust" / "labels_v1.jsonl"):
        examples.append({**{k: row[k] for k in ("id", "text", *TRUST_FIELDS)}, "source": "labels_v1", "domain": "review"})
    pools = [row for name in POOL_FILES if (labels_dir / name).exists() for row in _jsonl(labels_dir / name)]
    texts = _pool_texts({r["id"] for r in pools}, shared)
    missing = [r["id"] for r in pools if r["id"] not in texts]
    if missing:
        raise ValueError(f"{len(missing)} label ids not found in {shared}: {missing[:5]}")
    domain = {"online_shopping_10_cats": "review", "weibo_senti_part": "social", "weibo_covid19_2020": "social", "bilibili_danmaku": "danmaku",
              "douyin_livechat": "live_chat", "eprstmt_unlabeled": "review", "absa_hair": "review",
              "absa_restaurant": "review"}
    for row in pools:
        examples.append({**{k: row[k] for k in ("id", *TRUST_FIELDS)}, "text": texts[row["id"]],
                         "source": row["source"],
                         "domain": domain.get(row["source"], "review" if row["source"].startswith("absa_") else "other")})
    for row in _jsonl(labels_dir / "trust_v2_written.jsonl"):
        examples.append({**{k: row[k] for k in ("id", "text", *TRUST_FIELDS)}, "source": "written",
                         "domain": row.get("domain", "other"), "script": row.get("script")})
    for example in examples:
        example["split"] = corpora.split_of(example["id"])
    return examples


_CORPUS_DOMAIN = {"online_shopping_10_cats": "review", "weibo_senti_part": "social"}
_EXAMPLE_DOMAIN = {"review": "review", "social": "social", "danmaku": "chat", "live_chat": "chat"}


def example_domain(example: dict) -> str | None:
    """The wide channel's domain (wide.DOMAINS) of a trust or sentiment example, or None."""
    if example.get("corpus") in _CORPUS_DOMAIN:
        return _CORPUS_DOMAIN[example["corpus"]]
    return _EXAMPLE_DOMAIN.get(example.get("domain"))


def strip_emoticon_codes(text: str) -> str:
    """The Weibo sentiment labels were derived from emoticons: remove them before training."""
    return _EMOTICON_CODE.sub("", text).strip()


def sentiment_examples(shared: Path = corpora.DEFAULT_SHARED) -> list[dict]:
    """Binary sentiment rows: {id, text, sentiment (pos/neg), corpus, split}."""
    examples = []
    for row in corpora.shopping_reviews(shared):
        examples.append({"id": row["id"], "text": row["text"], "sentiment": "pos" if row["label"] else "neg",
                         "corpus": "online_shopping_10_cats"})
    for row in corpora.weibo_sentiment(shared):
        text = strip_emoticon_codes(row["text"])
        if text:
            examples.append({"id": row["id"], "text": text, "sentiment": "pos" if row["label"] else "neg",
                             "corpus": "weibo_senti_part"})
    for example in examples:
        example["split"] = corpora.split_of(example["id"])
    return examples
