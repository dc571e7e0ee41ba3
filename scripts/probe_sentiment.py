"""Probe the pretrained encoder: binary sentiment, pretrained vs random init vs TF-IDF + LR.

    python scripts/probe_sentiment.py --encoder models/ugc-bert-zh-small --train-rows 12000 --epochs 1

Data: ../shared/data/sentiment/online_shopping_train.csv only. Train rows come from its
`train` split, evaluation from its `dev` split (corpora.split_of) — carved from the
training file, never any other data. The same architecture is fine-tuned twice with the
same seed, data and steps: from the pretrained weights and from random initialisation.
Also prints the [UNK] rate of the tokenizer on the held-out (dev + test) text of every corpus.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ugc_trust.model import corpora, finetune, labels  # noqa: E402
from ugc_trust.model.baselines import tfidf_accuracy  # noqa: E402
from ugc_trust.model.heads import HEADS, BertForTrust  # noqa: E402
from ugc_trust.model.tokenizer import unk_rate  # noqa: E402
from ugc_trust.normalize import Normalizer  # noqa: E402


def accuracy(model, tokenizer, rows) -> float:
    ids = finetune.encode(tokenizer, [r["text"] for r in rows])
    logits = finetune.predict_logits(model, ids, tokenizer.pad_token_id)["sentiment"]
    pos, neg = HEADS["sentiment"].index("pos"), HEADS["sentiment"].index("neg")
    predicted = np.where(logits[:, pos] >= logits[:, neg], "pos", "neg")
    return float((predicted == np.array([r["sentiment"] for r in rows])).mean())


def heldout_unk(tokenizer, shared: Path) -> dict:
    normalizer = Normalizer()
    streams = {
        "online_shopping_10_cats": corpora.shopping_reviews(shared),
        "weibo_senti_part": corpora.weibo_sentiment(shared),
        "aspects": corpora.aspect_sentences(shared),
        **{name: corpora.unlabeled(name, shared) for name in
           ("eprstmt_unlabeled_reviews", "douyin_livechat", "bilibili_danmaku", "weibo_covid19_2020")},
    }
    rates = {}
    for name, rows in streams.items():
        texts = []
        for row in rows:
            if corpora.split_of(row["id"]) != "train":
                texts.append(normalizer(row["text"]).text)
            if len(texts) >= 5000:
                break
        rate, tokens = unk_rate(tokenizer, texts)
        rates[name] = {"unk_rate": rate, "tokens": tokens, "texts": len(texts)}
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default="models/ugc-bert-zh-small")
    parser.add_argument("--shared", type=Path, default=corpora.DEFAULT_SHARED)
    parser.add_argument("--train-rows", type=int, default=12000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--starts", default="pretrained,random",
                        help="which starts to fine-tune (the random start does not depend on the weights)")
    args = parser.parse_args()
    import torch
    from transformers import AutoTokenizer, BertConfig

    rows = [dict(r, binary=True) for r in labels.sentiment_examples(args.shared) if r["corpus"] == "online_shopping_10_cats"]
    train = random.Random(args.seed).sample([r for r in rows if r["split"] == "train"], args.train_rows)
    dev = [r for r in rows if r["split"] == "dev"]
    tokenizer = AutoTokenizer.from_pretrained(args.encoder)
    results = {"train_rows": len(train), "dev_rows": len(dev), "epochs": args.epochs}

    results["tfidf_lr_dev_accuracy"] = tfidf_accuracy([r["text"] for r in train], [r["sentiment"] for r in train],
                                                      [r["text"] for r in dev], [r["sentiment"] for r in dev])
    for start in args.starts.split(","):
        torch.manual_seed(args.seed)
        if start == "pretrained":
            model = BertForTrust.from_pretrained(args.encoder, dtype=torch.float32)
        else:
            config = BertConfig.from_pretrained(args.encoder)
            model = BertForTrust(config)
        finetune.train(model, tokenizer, train, dev[:500], epochs=args.epochs, seed=args.seed,
                       log=lambda m: print(m, flush=True))
        results[f"{start}_dev_accuracy"] = accuracy(model, tokenizer, dev)
        print(start, results[f"{start}_dev_accuracy"], flush=True)
    results["heldout_unk"] = heldout_unk(tokenizer, args.shared)
    print(json.dumps(results, indent=1))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
