"""Classify normalized posts: three trust dimensions and sentiment, with calibrated probabilities.

`Classifier.load(path_or_hub_id)` loads the model once (local directory first; a hub id
works where the hub is reachable), optionally int8-quantized for CPU. `predict(texts)`
runs length-sorted batches with dynamic padding. `score_records` fills the output
fields of architecture.md, classifying a chat flood once for all its members.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .config import load_config, resolve
from .errors import ModelError
from .records import DIMENSIONS


class Classifier:
    def __init__(self, model, tokenizer, max_length: int = 128, batch_size: int = 64, labels: str = "argmax"):
        if labels not in ("argmax", "balanced"):
            raise ModelError(f"model.labels: expected argmax or balanced, got {labels!r}")
        self.labels = labels
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.batch_size = batch_size
        self.heads = dict(model.config.trust_heads)

    @classmethod
    def load(cls, name_or_path: str | os.PathLike, config: dict | None = None) -> "Classifier":
        import warnings

        import torch
        import transformers
        from transformers import AutoTokenizer

        from .model.heads import BertForTrust

        transformers.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*")

        config = config or load_config()
        settings = config["model"]
        local = resolve(name_or_path)
        source = str(local) if local.exists() else str(name_or_path)
        if not local.exists() and (Path(str(name_or_path)).is_absolute() or str(name_or_path).startswith((".", "models/"))):
            raise ModelError(f"{name_or_path}: no such model directory")
        try:
            tokenizer = AutoTokenizer.from_pretrained(source)
            model = BertForTrust.from_pretrained(source, dtype=torch.float32)
        except OSError as error:
            raise ModelError(f"cannot load model {name_or_path!r}: {error}") from error
        if settings.get("threads"):
            torch.set_num_threads(int(settings["threads"]))
        model.eval()
        if settings.get("int8", True):
            # Dynamic int8 on the Linear layers: ~2× faster on CPU, same predictions within noise.
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        return cls(model, tokenizer, int(settings["max_length"]), int(settings["batch_size"]),
                   settings.get("labels") or "argmax")

    def predict(self, texts: list[str], channel: str = "pooled",
                domains: list[str | None] | None = None) -> dict[str, np.ndarray]:
        """Calibrated probabilities per head, rows in the order of `texts`.

        `channel`: "pooled" (the product: BERT and the char n-gram channel pooled with
        the weights fitted on dev), "bert" or "wide" alone (for evaluation). `domains`:
        one of "review", "social", "chat" or None per text (`record_domain`); the char
        n-gram sentiment channel has per-domain weights, None uses the shared ones.
        """
        import torch

        wide = self.model.wide_logits(texts, domains) if channel != "bert" else None
        if channel == "wide" and wide is None:
            raise ModelError("this model has no wide (char n-gram) channel")
        encoded = self.tokenizer(texts, truncation=True, max_length=self.max_length)["input_ids"]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        probs = {name: np.zeros((len(texts), len(labels)), dtype=np.float32) for name, labels in self.heads.items()}
        pad = self.tokenizer.pad_token_id
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                group = order[start:start + self.batch_size]
                length = max(len(encoded[i]) for i in group)
                input_ids = torch.full((len(group), length), pad, dtype=torch.long)
                for row, i in enumerate(group):
                    input_ids[row, : len(encoded[i])] = torch.tensor(encoded[i])
                logits = self.model(input_ids, (input_ids != pad).long())
                group_wide = {name: value[group] for name, value in wide.items()} if wide else None
                group_domains = [domains[i] for i in group] if domains is not None else None
                calibrated = self.model.calibrated_probs(logits, group_wide, channel, group_domains)
                for name, value in calibrated.items():
                    probs[name][group] = value.numpy()
        return probs

    def decide(self, probs: dict[str, np.ndarray], labels: str | None = None) -> dict[str, np.ndarray]:
        """Label indices per head from `predict`'s probabilities: the top class, or with
        `labels="balanced"` the model's dev-fitted rule (BertForTrust.decide). Default: the
        `model.labels` setting."""
        if (labels or self.labels) == "argmax":
            return {name: value.argmax(1) for name, value in probs.items()}
        return {name: self.model.decide(name, value) for name, value in probs.items()}

    def label_records(self, texts: list[str], domains: list[str | None] | None = None) -> list[dict]:
        """Output fields (trust, trust_probs, sentiment, sentiment_score) for each text."""
        probs = self.predict(texts, domains=domains)
        decided = self.decide(probs)
        out = []
        sentiment_labels = self.heads["sentiment"]
        pos, neg = sentiment_labels.index("pos"), sentiment_labels.index("neg")
        for i in range(len(texts)):
            trust, trust_probs = {}, {}
            for dimension in DIMENSIONS:
                labels = self.heads[dimension]
                row = probs[dimension][i]
                trust[dimension] = labels[int(decided[dimension][i])]
                trust_probs[dimension] = {label: round(float(p), 4) for label, p in zip(labels, row)}
            row = probs["sentiment"][i]
            out.append({
                "trust": trust,
                "trust_probs": trust_probs,
                "sentiment": sentiment_labels[int(decided["sentiment"][i])],
                "sentiment_probs": {label: round(float(p), 4) for label, p in zip(sentiment_labels, row)},
                "sentiment_score": round(float(row[pos] - row[neg]), 4),
            })
        return out

    def score_records(self, records: list[dict], collapser=None) -> list[dict]:
        """Score prepared records (normalized, segmented, brand-linked); same order, one row each.

        In chat streams a flood is classified once through its first message, and every
        member row carries `flood` = {id, count, lead} so aggregation can count it once.
        """
        from .segment import stream_key

        lead_of: dict[int, int] = {}
        flood_info: dict[int, dict] = {}
        if collapser is not None:
            streams: dict[str, list[int]] = {}
            for index, record in enumerate(records):
                key = stream_key(record)
                if key is not None:
                    streams.setdefault(key, []).append(index)
            position = {id(r): i for i, r in enumerate(records)}
            for indices in streams.values():
                stream = sorted((records[i] for i in indices),
                                key=lambda r: (r.get("created_at") is None, r.get("created_at") or ""))
                for members in collapser.groups(stream):
                    if len(members) < collapser.min_count:
                        continue
                    lead = position[id(members[0])]
                    for member in members:
                        index = position[id(member)]
                        lead_of[index] = lead
                        flood_info[index] = {"id": members[0]["id"], "count": len(members), "lead": index == lead}
        to_classify = [i for i in range(len(records)) if lead_of.get(i, i) == i]
        labels = self.label_records([records[i]["text_norm"] for i in to_classify],
                                    [record_domain(records[i]) for i in to_classify]) if to_classify else []
        by_index = dict(zip(to_classify, labels))
        out = []
        for index, record in enumerate(records):
            out.append(output_record(record, by_index[lead_of.get(index, index)], flood_info.get(index)))
        return out


_KIND_DOMAIN = {"review": "review", "post": "social", "comment": "social", "danmaku": "chat", "live_chat": "chat"}
_PLATFORM_DOMAIN = {"jd": "review", "taobao": "review", "weibo": "social", "douyin": "social",
                    "xiaohongshu": "social", "kuaishou": "social", "bilibili": "social"}


def record_domain(record: dict) -> str | None:
    """The classifier's domain of a record: its kind, else its platform; None if neither
    tells (a comment under a JD listing is a review; chat kinds win over the platform)."""
    kind, platform = record.get("kind"), record.get("platform")
    if kind in ("danmaku", "live_chat"):
        return "chat"
    if platform in ("jd", "taobao"):
        return "review"
    return _KIND_DOMAIN.get(kind) or _PLATFORM_DOMAIN.get(platform)


OUTPUT_FIELDS = ("id", "platform", "kind", "brand", "brands", "created_at", "author", "room_id", "parent_id", "url")


def output_record(record: dict, labels: dict, flood: dict | None) -> dict:
    """The output record of architecture.md."""
    out = {name: record.get(name) for name in OUTPUT_FIELDS}
    out.update(labels)
    out["text_norm"] = record.get("text_norm")
    out["clauses"] = record.get("clauses")
    out["emoticons"] = [e["token"] for e in (record.get("norm") or {}).get("emoticons", [])]
    out["flood"] = flood
    return out
