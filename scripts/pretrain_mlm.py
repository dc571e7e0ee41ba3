"""Pretrain the small Chinese BERT (MLM, whole-word masking) on ../shared/data; resumable.

    python scripts/pretrain_mlm.py --work runs/mlm --out models/ugc-bert-zh-small \
        --layers 4 --hidden 256 --max-steps 4000 --max-minutes 60

Each stage writes under --work and is skipped when its output is there, so the same
command resumes after an interruption (training resumes from work/checkpoint.pt).
Prints corpus sizes, [UNK] rates, held-out masked-token accuracy and perplexity, and
writes work/summary.json and work/loss_curve.png.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ugc_trust.model import corpora, mlm  # noqa: E402
from ugc_trust.model.tokenizer import dictionary_characters, train_tokenizer, unk_rate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=corpora.DEFAULT_SHARED)
    parser.add_argument("--work", type=Path, default=Path("runs/mlm"))
    parser.add_argument("--out", type=Path, default=Path("models/ugc-bert-zh-small"))
    parser.add_argument("--weibo-every", type=int, default=4, help="take every n-th COVID Weibo row")
    parser.add_argument("--vocab-size", type=int, default=6000, help="WordPiece entries beyond the CJK alphabet")
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--max-steps", type=int, default=4000)
    parser.add_argument("--max-minutes", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--dropout", type=float, default=0.1, help="during pretraining; the saved config keeps 0.1")
    parser.add_argument("--init-from", type=Path, default=None,
                        help="start from a saved model directory when work/checkpoint.pt is absent")
    parser.add_argument("--whole-word-share", type=float, default=1.0,
                        help="share of training sequences masked by whole jieba words; the rest by single tokens")
    parser.add_argument("--mask-probability", type=float, default=0.15, help="share of words masked in training")
    parser.add_argument("--restart-schedule", action="store_true",
                        help="on resume: new warm-up to --lr from the current step, decay to --max-steps")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.time()

    corpus = args.work / "corpus.jsonl"
    sizes_path = args.work / "corpus_sizes.json"
    if not sizes_path.exists():
        sizes = mlm.prepare_corpus(corpus, args.shared, args.weibo_every)
        sizes_path.write_text(json.dumps(sizes, ensure_ascii=False, indent=1))
    sizes = json.loads(sizes_path.read_text())
    print("corpus:", json.dumps(sizes, ensure_ascii=False), flush=True)

    tokenizer_dir = args.work / "tokenizer"
    from transformers import AutoTokenizer

    if not (tokenizer_dir / "tokenizer.json").exists():
        train_tokenizer((r["text"] for r in mlm.iter_corpus(corpus)), tokenizer_dir, args.vocab_size,
                        dictionary_characters(), args.seq_len)
    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    unk_path = args.work / "unk_rates.json"
    if not unk_path.exists():
        rates = {}
        for name in sizes:
            texts = (r["text"] for r in mlm.iter_corpus(corpus) if r["corpus"] == name)
            rate, tokens = unk_rate(tokenizer, texts)
            rates[name] = {"unk_rate": rate, "tokens": tokens}
        unk_path.write_text(json.dumps(rates, indent=1))
    print("vocab:", len(tokenizer), "unk:", unk_path.read_text(), flush=True)

    if not (args.work / "heldout_ids.npy").exists():
        packed = mlm.pack_sequences(corpus, tokenizer, args.work, args.seq_len, args.seed)
        (args.work / "packed.json").write_text(json.dumps(packed))
    print("packed:", (args.work / "packed.json").read_text(), flush=True)

    result = mlm.train(args.work, tokenizer, layers=args.layers, hidden=args.hidden, heads=args.heads,
                       seq_len=args.seq_len, batch_size=args.batch_size, lr=args.lr, max_steps=args.max_steps,
                       max_minutes=args.max_minutes, seed=args.seed, threads=args.threads,
                       warmup=args.warmup, dropout=args.dropout, init_from=args.init_from,
                       restart_schedule=args.restart_schedule, whole_word_share=args.whole_word_share,
                       mask_probability=args.mask_probability, log=lambda m: print(m, flush=True))
    model, metrics = result["model"], result["metrics"]
    print("held-out:", json.dumps(metrics), flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    # Fine-tuning reads dropout from this config: keep BERT's 0.1 whatever pretraining used.
    model.config.hidden_dropout_prob = model.config.attention_probs_dropout_prob = 0.1
    model.half().save_pretrained(str(args.out), safe_serialization=True)
    tokenizer.save_pretrained(str(args.out))
    summary = {"args": {k: str(v) for k, v in vars(args).items()}, "corpus": sizes,
               "unk": json.loads(unk_path.read_text()), "packed": json.loads((args.work / "packed.json").read_text()),
               "heldout": metrics, "wall_minutes_total": (time.time() - started) / 60}
    (args.work / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    plot_loss(args.work / "loss_log.csv", args.work / "loss_curve.png")
    print("saved", args.out, flush=True)


def plot_loss(log_path: Path, png: Path) -> None:
    import csv

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(csv.DictReader(log_path.open()))
    steps = [int(r["step"]) for r in rows]
    figure, axis = plt.subplots(figsize=(7, 4))
    axis.plot(steps, [float(r["train_loss"]) for r in rows], label="train loss (mean of 50 steps)")
    held = [(int(r["step"]), float(r["heldout_loss"])) for r in rows if r["heldout_loss"]]
    if held:
        axis.plot(*zip(*held), "o-", label="held-out loss (2% of text; whole words, 15%)")
    # Phases of a resumed run (written by hand to work/phases.json): the training loss of
    # different masking settings is not comparable; the held-out loss (whole words, 15%) is.
    phases = log_path.parent / "phases.json"
    if phases.exists():
        for phase in json.loads(phases.read_text()):
            if phase["step"] > 0:
                axis.axvline(phase["step"], color="grey", linestyle="--", linewidth=0.8)
            axis.annotate(phase["label"], (phase["step"], 1.0), xycoords=("data", "axes fraction"), fontsize=7,
                          rotation=90, va="top", ha="left", xytext=(3, -3), textcoords="offset points")
    axis.set_xlabel("step (batch 32 × 128 tokens)")
    axis.set_ylabel("masked-LM cross-entropy")
    axis.set_title("ugc-bert-zh-small MLM pretraining")
    axis.legend()
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(png, dpi=110)


if __name__ == "__main__":
    main()
