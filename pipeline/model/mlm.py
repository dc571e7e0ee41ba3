"""MLM pretraining of the small Chinese BERT: corpus preparation, whole-word masking, training.

Steps, each resumable from what the previous one wrote under a work directory:
1. `prepare_corpus`: normalized text of every pretraining row (corpora.pretraining_texts).
2. tokenizer (model/tokenizer.py) trained on that text.
3. `pack_sequences`: token ids packed into fixed-length sequences with jieba word ids
   per token (for whole-word masking); 2% of rows held out by id hash → `heldout`.
4. `train`: masked-LM loss computed only at masked positions (2.5× faster on CPU than
   the full vocabulary projection at every position), AdamW, linear warm-up/decay,
   checkpoints that resume exactly, a loss log.
"""
from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import random
import time
from pathlib import Path
from typing import Iterator

import numpy as np

from ..normalize import Normalizer
from . import corpora


def _heldout(record_id: str, share: float = 0.02) -> bool:
    return int(hashlib.sha1(("mlm:" + record_id).encode()).hexdigest()[:8], 16) % 10000 < share * 10000


def prepare_corpus(out_path: Path, shared: Path = corpora.DEFAULT_SHARED, weibo_every: int = 4) -> dict:
    """Write {corpus, id, text} JSONL of normalized pretraining text; return chars per corpus."""
    normalizer = Normalizer()
    sizes: dict[str, dict] = {}
    with out_path.open("w", encoding="utf-8") as handle:
        for corpus, record_id, text in corpora.pretraining_texts(shared, weibo_every):
            text = normalizer(text).text
            # The COVID Weibo export lost its emoji to runs of '?': they carry nothing.
            text = text.replace("???", "").replace("??", "").strip()
            if len(text) < 2:
                continue
            handle.write(json.dumps({"corpus": corpus, "id": record_id, "text": text}, ensure_ascii=False) + "\n")
            entry = sizes.setdefault(corpus, {"rows": 0, "chars": 0})
            entry["rows"] += 1
            entry["chars"] += len(text)
    return sizes


def iter_corpus(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def pack_sequences(corpus_path: Path, tokenizer, out_dir: Path, seq_len: int = 128, seed: int = 0) -> dict:
    """Pack tokenized rows into `seq_len` sequences with word ids; write train/heldout .npy files."""
    rng = random.Random(seed)
    rows = list(iter_corpus(corpus_path))
    rng.shuffle(rows)  # mix corpora so each batch sees every kind of text
    cls, sep, pad = tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id
    body = seq_len - 2
    outputs = {}
    for split in ("train", "heldout"):
        selected = [r for r in rows if _heldout(r["id"]) == (split == "heldout")]
        ids_out: list[np.ndarray] = []
        wid_out: list[np.ndarray] = []
        buffer_ids: list[int] = []
        buffer_wid: list[int] = []
        next_word = 0

        def flush():
            nonlocal buffer_ids, buffer_wid, next_word
            ids = [cls] + buffer_ids[:body] + [sep]
            wid = [-1] + buffer_wid[:body] + [-1]
            ids += [pad] * (seq_len - len(ids))
            wid += [-1] * (seq_len - len(wid))
            ids_out.append(np.asarray(ids, dtype=np.int32))
            # Renumber word ids from 0 within each sequence (the masker indexes by them).
            arr = np.asarray(wid, dtype=np.int64)
            valid = arr >= 0
            if valid.any():
                _, inverse = np.unique(arr[valid], return_inverse=True)
                arr[valid] = inverse
            wid_out.append(arr.astype(np.int16))
            buffer_ids, buffer_wid = buffer_ids[body:], buffer_wid[body:]

        for start in range(0, len(selected), 1000):
            chunk = selected[start:start + 1000]
            encoded = tokenizer([r["text"] for r in chunk], add_special_tokens=False,
                                return_offsets_mapping=True, truncation=True, max_length=body)
            for row, ids, offsets in zip(chunk, encoded["input_ids"], encoded["offset_mapping"]):
                token_words = _token_words(row["text"], offsets, next_word)
                next_word = (max(token_words) + 1) if token_words else next_word
                if buffer_ids:
                    buffer_ids.append(sep)
                    buffer_wid.append(-1)
                buffer_ids.extend(ids)
                buffer_wid.extend(token_words)
                while len(buffer_ids) >= body:
                    flush()
        if buffer_ids:
            flush()
        ids_arr = np.stack(ids_out)
        wid_arr = np.stack(wid_out)
        np.save(out_dir / f"{split}_ids.npy", ids_arr)
        np.save(out_dir / f"{split}_wid.npy", wid_arr)
        outputs[split] = {"sequences": int(len(ids_arr)), "tokens": int((ids_arr != pad).sum())}
    return outputs


def _token_words(text: str, offsets, first_word: int) -> list[int]:
    """A word number (from jieba) for each token, numbered from `first_word`."""
    from ..segment import words

    char_word = np.full(len(text), -1, dtype=np.int64)
    position = number = 0
    for word in words(text, hmm=False):
        found = text.find(word, position)
        if found < 0:
            continue
        char_word[found:found + len(word)] = number
        number += 1
        position = found + len(word)
    missing = char_word < 0
    char_word[missing] = number + np.arange(int(missing.sum()))
    return [int(char_word[min(s, len(text) - 1)]) + first_word for s, e in offsets]


def whole_word_mask(ids: np.ndarray, wid: np.ndarray, tokenizer_info: dict, rng: np.random.Generator,
                    probability: float = 0.15, whole_word_share: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Mask whole jieba words: 80% [MASK], 10% random token, 10% unchanged. Returns (inputs, labels).

    With `whole_word_share` < 1, the other sequences of the batch mask single tokens
    instead (every token its own "word"): an easier task whose signal — the
    neighbouring characters — teaches the encoder local context sooner.
    """
    batch, length = ids.shape
    draw = rng.random((batch, length))
    word = wid.astype(np.int64)
    if whole_word_share < 1.0:
        by_token = rng.random(batch) >= whole_word_share
        word[by_token] = np.where(word[by_token] >= 0, np.arange(length), -1)
    valid = word >= 0
    chosen = np.zeros_like(valid)
    rows = np.nonzero(valid)
    chosen[rows] = draw[rows[0], word[rows]] < probability
    labels = np.where(chosen, ids, -100)
    inputs = ids.copy()
    action = rng.random((batch, length))
    to_mask = chosen & (action < 0.8)
    to_random = chosen & (action >= 0.8) & (action < 0.9)
    inputs[to_mask] = tokenizer_info["mask_id"]
    inputs[to_random] = rng.integers(tokenizer_info["first_normal_id"], tokenizer_info["vocab_size"], size=int(to_random.sum()))
    return inputs, labels


def build_model(vocab_size: int, layers: int, hidden: int, heads: int, seq_len: int, pad_id: int,
                dropout: float = 0.1):
    from transformers import BertConfig, BertForMaskedLM

    config = BertConfig(
        vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
        intermediate_size=hidden * 4, max_position_embeddings=max(seq_len, 256), pad_token_id=pad_id,
        hidden_dropout_prob=dropout, attention_probs_dropout_prob=dropout,
    )
    return BertForMaskedLM(config)


def masked_lm_loss(model, inputs, labels, attention):
    """Loss and accuracy over masked positions only (the vocabulary projection runs there alone)."""
    import torch

    hidden = model.bert(input_ids=inputs, attention_mask=attention).last_hidden_state
    selected = labels != -100
    logits = model.cls(hidden[selected])
    target = labels[selected]
    loss = torch.nn.functional.cross_entropy(logits, target)
    correct = (logits.argmax(-1) == target).sum().item()
    return loss, correct, int(target.numel())


def evaluate(model, ids, wid, info, batch_size=64, seed=1234) -> dict:
    import torch

    model.eval()
    rng = np.random.default_rng(seed)  # the same masks at every evaluation
    total_loss = total_correct = total = 0.0
    with torch.no_grad():
        for start in range(0, len(ids), batch_size):
            inputs, labels = whole_word_mask(ids[start:start + batch_size], wid[start:start + batch_size], info, rng)
            attention = torch.from_numpy((ids[start:start + batch_size] != info["pad_id"]).astype(np.int64))
            loss, correct, count = masked_lm_loss(model, torch.from_numpy(inputs.astype(np.int64)),
                                                  torch.from_numpy(labels.astype(np.int64)), attention)
            total_loss += loss.item() * count
            total_correct += correct
            total += count
    model.train()
    mean = total_loss / max(total, 1)
    return {"loss": mean, "perplexity": math.exp(mean), "accuracy": total_correct / max(total, 1), "tokens": int(total)}


def train(work: Path, tokenizer, *, layers=4, hidden=256, heads=4, seq_len=128, batch_size=32, lr=5e-4,
          max_steps=4000, max_minutes=60.0, warmup=300, seed=0, eval_every=500, eval_sequences=1000,
          checkpoint_every=250, threads=None, dropout=0.1, init_from: Path | None = None,
          restart_schedule=False, whole_word_share=1.0, mask_probability=0.15, log=print) -> dict:
    """Train (or resume) the MLM.

    `restart_schedule`: on resume, keep weights and Adam moments but start a new
    warm-up to `lr` at the current step, decaying linearly to `max_steps` (to go on
    at a different peak rate). `whole_word_share`: the share of training sequences masked
    by whole words, the rest by single tokens; `mask_probability`: the share of words masked
    in training (a higher rate gives more predictions for the same forward pass; held-out
    figures always use whole words at 15%).
    `init_from`: start from saved weights (a model
    directory) when there is no checkpoint. `dropout` 0 is ~13% faster on CPU, and an
    under-trained small model does not need it; fine-tuning sets its own.
    """
    import torch

    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    ids = np.load(work / "train_ids.npy", mmap_mode="r")
    wid = np.load(work / "train_wid.npy", mmap_mode="r")
    held_ids = np.load(work / "heldout_ids.npy")[:eval_sequences]
    held_wid = np.load(work / "heldout_wid.npy")[:eval_sequences]
    specials = set(tokenizer.all_special_ids)
    info = {"mask_id": tokenizer.mask_token_id, "pad_id": tokenizer.pad_token_id, "vocab_size": len(tokenizer),
            "first_normal_id": max(specials) + 1 if max(specials) < 100 else 5}
    model = build_model(len(tokenizer), layers, hidden, heads, seq_len, tokenizer.pad_token_id, dropout)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01, betas=(0.9, 0.98))
    step, elapsed, schedule_start = 0, 0.0, 0
    checkpoint = work / "checkpoint.pt"
    state = torch.load(checkpoint, weights_only=False) if checkpoint.exists() else None
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, elapsed = state["step"], state["elapsed"]
        schedule_start = step if restart_schedule else state.get("schedule_start", 0)
        log(f"resumed at step {step} ({elapsed / 60:.1f} min trained)")
    elif init_from is not None:
        from transformers import BertForMaskedLM

        loaded = BertForMaskedLM.from_pretrained(str(init_from), torch_dtype=torch.float32)
        model.load_state_dict(loaded.state_dict())
        log(f"initialised from {init_from}")
    for group in optimizer.param_groups:
        group["lr"] = lr
        group["initial_lr"] = lr

    def rate(at: int) -> float:
        since = at - schedule_start
        return min(1.0, (since + 1) / warmup) * max(0.05, 1 - at / max(1, max_steps))

    resumed_at = step
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: rate(resumed_at + i))
    rng = np.random.default_rng(seed + step)
    order = np.random.default_rng(seed).permutation(len(ids))
    log_path = work / "loss_log.csv"
    new_log = not log_path.exists()
    log_file = log_path.open("a", newline="")
    writer = csv.writer(log_file)
    if new_log:
        writer.writerow(["step", "elapsed_s", "train_loss", "lr", "heldout_loss", "heldout_accuracy"])
    model.train()
    started = time.time() - elapsed
    running, running_n = 0.0, 0
    while step < max_steps and (time.time() - started) < max_minutes * 60:
        start = (step * batch_size) % len(order)
        index = np.sort(order[start:start + batch_size])
        batch_ids, batch_wid = np.asarray(ids[index]), np.asarray(wid[index])
        inputs, labels = whole_word_mask(batch_ids, batch_wid, info, rng, probability=mask_probability,
                                         whole_word_share=whole_word_share)
        attention = torch.from_numpy((batch_ids != info["pad_id"]).astype(np.int64))
        loss, _, _ = masked_lm_loss(model, torch.from_numpy(inputs.astype(np.int64)),
                                    torch.from_numpy(labels.astype(np.int64)), attention)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        step += 1
        running += loss.item()
        running_n += 1
        if step % 50 == 0:
            row = [step, round(time.time() - started, 1), round(running / running_n, 4), schedule.get_last_lr()[0], "", ""]
            if step % eval_every == 0:
                metrics = evaluate(model, held_ids, held_wid, info)
                row[4:] = [round(metrics["loss"], 4), round(metrics["accuracy"], 4)]
            writer.writerow(row)
            log_file.flush()
            log(f"step {step} loss {running / running_n:.3f} " + (f"heldout {row[4]} acc {row[5]} " if row[4] != "" else "")
                + f"{(time.time() - started) / 60:.1f} min")
            running, running_n = 0.0, 0
        if step % checkpoint_every == 0:
            _save_checkpoint(checkpoint, model, optimizer, schedule, step, time.time() - started, schedule_start)
    _save_checkpoint(checkpoint, model, optimizer, schedule, step, time.time() - started, schedule_start)
    log_file.close()
    final = evaluate(model, np.load(work / "heldout_ids.npy"), np.load(work / "heldout_wid.npy"), info)
    final.update(steps=step, minutes=(time.time() - started) / 60, sequences_seen=step * batch_size)
    return {"model": model, "metrics": final}


def _save_checkpoint(path: Path, model, optimizer, schedule, step: int, elapsed: float,
                     schedule_start: int = 0) -> None:
    import torch

    temporary = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(), "step": step, "elapsed": elapsed,
                "schedule_start": schedule_start}, temporary)
    os.replace(temporary, path)  # atomic: a kill mid-save leaves the previous checkpoint
