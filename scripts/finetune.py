"""Fine-tune the trust + sentiment classifier from the pretrained encoder; seeded, reproducible.

    python scripts/finetune.py --encoder models/ugc-bert-zh-small --out models/ugc-trust-zh-small

Train rows: trust labels (../shared/data/trust/labels_v1.jsonl + data/labels/trust_v2_*)
of the `train` split, oversampled ×--trust-repeat, and the binary sentiment corpora's
`train` split (shopping reviews; Weibo with emoticon codes stripped). Dev rows pick the
best epoch; then the wide channel (char n-gram TF-IDF + logistic regression per head,
model/wide.py) is fitted on the same train rows, its pooling weight per head chosen
on dev, one temperature per head fitted on dev, and the decision rule's prior power
(BertForTrust.decide) chosen on dev. The test split is never read here.

    python scripts/finetune.py --wide-only --out models/ugc-trust-zh-small

refits only the wide channel, pooling and temperatures of an already fine-tuned model.

    python scripts/finetune.py --stack 0.7 --stack-cache runs/wide_oof.npz --out DIR

stacks the encoder on the wide channel: the wide channel is fitted first, and the encoder is
trained on the loss of the pooled output (weight 0.7 on the wide channel's out-of-fold
log-probabilities, 5-fold cross-fitting on the train split), so it learns what the n-grams miss.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ugc_trust.model import corpora, finetune, labels  # noqa: E402
from ugc_trust.model.heads import HEADS, BertForTrust  # noqa: E402
from ugc_trust.normalize import Normalizer  # noqa: E402


def dev_score(logits, target, binary) -> float:
    """Mean macro-F1 of the three trust heads and sentiment accuracy on dev (the selection rule)."""
    from sklearn.metrics import f1_score

    scores = []
    for h, name in enumerate(HEADS):
        keep = target[:, h] >= 0
        if name == "sentiment":
            rows = keep & binary
            pos, neg = HEADS[name].index("pos"), HEADS[name].index("neg")
            predicted = np.where(logits[name][rows, pos] >= logits[name][rows, neg], pos, neg)
            scores.append(float((predicted == target[rows, h]).mean()))
        else:
            scores.append(f1_score(target[keep, h], logits[name][keep].argmax(1), average="macro"))
    return float(np.mean(scores))


def stacked_offsets(model, trust: list[dict], sentiment_train: list[dict], dev_rows: list[dict], args) -> dict:
    """For --stack: fit the wide channel on the train split into `model`, and return the train
    rows' out-of-fold wide log-probabilities (in the order finetune.train sees its rows: trust
    rows ×--trust-repeat, then the binary pool) and the dev rows' log-probabilities."""
    from ugc_trust.model import wide

    trust_train = [e for e in trust if e["split"] == "train"]
    cache = args.stack_cache
    if cache is not None and cache.exists():
        stored = np.load(cache)
        out_of_fold = {name: stored[name] for name in HEADS}
        print(f"stacking: out-of-fold wide log-probabilities from {cache}", flush=True)
    else:
        out_of_fold = finetune.cross_fitted_wide_log_probs(trust_train, sentiment_train, seed=args.seed,
                                                           processes=args.threads or 1,
                                                           log=lambda m: print(m, flush=True))
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.savez(cache, **out_of_fold)
    n_trust = len(trust_train)
    assert all(len(v) == n_trust + len(sentiment_train) for v in out_of_fold.values()), "stale --stack-cache"
    offsets = {name: np.concatenate([value[:n_trust]] * args.trust_repeat + [value[n_trust:]])
               for name, value in out_of_fold.items()}
    finetune.fit_wide_channel(model, trust_train, sentiment_train, log=lambda m: print(m, flush=True))
    normalizer = Normalizer()
    dev_wide = model.wide_logits([normalizer(e["text"]).text or e["text"] for e in dev_rows],
                                 [labels.example_domain(e) for e in dev_rows])
    dev_offsets = {name: wide.log_softmax(value).astype(np.float32) for name, value in dev_wide.items()}
    return {"offsets": offsets, "dev_offsets": dev_offsets, "offset_weight": args.stack}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default="models/ugc-bert-zh-small",
                        help="pretrained encoder directory or hub id; 'random' for random initialisation")
    parser.add_argument("--out", type=Path, default=Path("models/ugc-trust-zh-small"))
    parser.add_argument("--shared", type=Path, default=corpora.DEFAULT_SHARED)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--trust-repeat", type=int, default=3)
    parser.add_argument("--sentiment-per-epoch", type=int, default=20000,
                        help="binary sentiment rows drawn afresh each epoch from the whole train split (0 = all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--no-wide", action="store_true", help="BERT alone, no char n-gram channel")
    parser.add_argument("--wide-only", action="store_true",
                        help="load --out, keep its encoder and heads, refit the wide channel, pooling and temperatures")
    parser.add_argument("--stack", type=float, default=0.0,
                        help="train the encoder stacked on the wide channel with this pooling weight (0 = apart)")
    parser.add_argument("--stack-cache", type=Path, default=None,
                        help="where to keep the out-of-fold wide log-probabilities of --stack (reused if present)")
    args = parser.parse_args()
    import torch
    from transformers import AutoTokenizer, BertConfig

    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.time()
    trust = labels.trust_examples(args.shared)
    trust_ids = {e["id"] for e in trust}
    sentiment = [dict(e, binary=True) for e in labels.sentiment_examples(args.shared) if e["id"] not in trust_ids]
    train_rows = [e for e in trust if e["split"] == "train"] * args.trust_repeat
    sentiment_train = [e for e in sentiment if e["split"] == "train"]
    dev_sentiment = [e for e in sentiment if e["split"] == "dev"]
    # Every binary dev row: the pooling fits one polarity weight per domain with enough rows
    # (finetune.MIN_DOMAIN_POLARITY_ROWS), and a 2,000-row sample left Weibo below that.
    dev_rows = [e for e in trust if e["split"] == "dev"] + dev_sentiment
    print(f"train rows: trust {len(train_rows)} (×{args.trust_repeat}) + binary sentiment "
          f"{args.sentiment_per_epoch or len(sentiment_train)} a epoch of {len(sentiment_train)}; dev rows {len(dev_rows)}",
          flush=True)

    encoder = args.encoder
    tokenizer_source = encoder if encoder != "random" else "models/ugc-bert-zh-small"
    if args.wide_only:
        tokenizer_source = str(args.out)
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_source)
    if args.wide_only:
        # Drop the old wide channel on load: it is refitted below, maybe in another format.
        config = BertConfig.from_pretrained(str(args.out))
        config.wide = None
        model = BertForTrust.from_pretrained(str(args.out), config=config, dtype=torch.float32)
        previous = json.loads((args.out / "training_summary.json").read_text())
        dev_ids = finetune.encode(tokenizer, [e["text"] for e in dev_rows])
        dev_labels, dev_binary = finetune.label_matrix(dev_rows)
        result = {"history": previous["history"], "best_dev_score": previous["best_dev_score"],
                  "minutes": previous["minutes"]}
    else:
        if encoder == "random":
            from transformers import BertConfig

            config = BertConfig.from_pretrained(tokenizer_source)
            config.trust_heads = HEADS
            torch.manual_seed(args.seed)
            model = BertForTrust(config)
        else:
            model = BertForTrust.from_pretrained(encoder, dtype=torch.float32)  # MLM head weights are dropped
            model.config.trust_heads = HEADS
        stacking = {}
        if args.stack > 0:
            stacking = stacked_offsets(model, trust, sentiment_train, dev_rows, args)
        result = finetune.train(model, tokenizer, train_rows, dev_rows, epochs=args.epochs, batch_size=args.batch_size,
                                lr=args.lr, seed=args.seed, select=dev_score, pool=sentiment_train,
                                pool_per_epoch=args.sentiment_per_epoch, log=lambda m: print(m, flush=True),
                                **stacking)
        dev_ids, dev_labels, dev_binary = result["dev_ids"], result["dev_labels"], result["dev_binary"]

    logits = finetune.predict_logits(model, dev_ids, tokenizer.pad_token_id)
    pooling = None
    if args.no_wide:
        # Temperature scaling on dev, one temperature per head.
        temperatures = {}
        for h, name in enumerate(HEADS):
            binary = dev_binary if name == "sentiment" else None
            temperatures[name] = finetune.fit_temperature(logits[name], dev_labels[:, h], binary,
                                                          HEADS["sentiment"].index("neu") if name == "sentiment" else None)
        model.config.temperatures = temperatures
    else:
        wide_started = time.time()
        trust_train = [e for e in trust if e["split"] == "train"]
        if model.wide is None:  # a stacked model has its wide channel already
            finetune.fit_wide_channel(model, trust_train, sentiment_train, log=lambda m: print(m, flush=True))
        normalizer = Normalizer()
        dev_texts = [normalizer(e["text"]).text or e["text"] for e in dev_rows]
        dev_domains = [labels.example_domain(e) for e in dev_rows]
        pooling = finetune.fit_pooling(model, logits, dev_texts, dev_labels, dev_binary, dev_domains,
                                       log=lambda m: print(m, flush=True))
        calibrated = finetune.pooled_probs(model, logits, model.wide_logits(dev_texts, dev_domains), dev_domains)
        pooling["prior_power"] = finetune.fit_decision(model, calibrated, dev_labels, finetune.class_priors(trust_train),
                                                       log=lambda m: print(m, flush=True))
        pooling["minutes"] = (time.time() - wide_started) / 60
        temperatures = model.config.temperatures
    print("temperatures:", temperatures, flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    model.half().save_pretrained(str(args.out), safe_serialization=True)
    tokenizer.save_pretrained(str(args.out))
    summary = {"args": {k: str(v) for k, v in vars(args).items()}, "history": result["history"],
               "best_dev_score": result["best_dev_score"], "temperatures": temperatures, "wide": pooling,
               "trust_train_rows": len(train_rows), "sentiment_train_rows": len(sentiment_train), "dev_rows": len(dev_rows),
               "minutes": result["minutes"] if args.wide_only else (time.time() - started) / 60}
    (args.out / "training_summary.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1), flush=True)


if __name__ == "__main__":
    main()
