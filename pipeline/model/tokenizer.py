"""The project's BERT tokenizer: one token per CJK character, WordPiece for Latin and digits.

Built with the `tokenizers` library from the normalized corpora. Every character of
jieba's dictionary and of the lexicons is put in the alphabet, so a rare but real
character gets its own id instead of `[UNK]`. Saved in Hugging Face format
(`AutoTokenizer.from_pretrained(dir)` loads it).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
#: Placeholders written by normalize; each is one token.
PLACEHOLDER_TOKENS = ["[URL]", "[MENTION]", "[TOPIC]"]


def dictionary_characters() -> set[str]:
    """Characters of jieba's dictionary and of every lexicon file."""
    import jieba

    from .. import lexicons
    from ..config import load_config, resolve

    chars: set[str] = set()
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as handle:
        for line in handle:
            chars.update(line.split(" ", 1)[0])
    for path in load_config()["lexicons"].values():
        path = resolve(path)
        if path.exists():
            chars.update(path.read_text(encoding="utf-8"))
    del lexicons
    return {c for c in chars if not c.isspace() and c.isprintable()}


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F


def train_tokenizer(texts: Iterable[str], out_dir: str | Path, vocab_size: int = 24000,
                    extra_characters: Iterable[str] = (), max_length: int = 128):
    """Train a WordPiece vocabulary and save a `BertTokenizerFast` to `out_dir`."""
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertTokenizerFast

    alphabet = sorted(set(extra_characters))
    cjk_alphabet = [c for c in alphabet if _is_cjk(c)]
    other_alphabet = [c for c in alphabet if not _is_cjk(c)]
    tokenizer = BertWordPieceTokenizer(clean_text=True, handle_chinese_chars=True,
                                       strip_accents=False, lowercase=True)
    tokenizer.train_from_iterator(
        _lowercase_guard(texts),
        vocab_size=vocab_size + len(cjk_alphabet),
        min_frequency=3,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=cjk_alphabet + other_alphabet,
        limit_alphabet=len(alphabet) + 2000,
        wordpieces_prefix="##",
    )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.save_model(str(out_dir))
    fast = BertTokenizerFast(
        vocab=str(out_dir / "vocab.txt"), do_lower_case=True, tokenize_chinese_chars=True,
        strip_accents=False, model_max_length=max_length,
    )
    fast.add_special_tokens({"additional_special_tokens": PLACEHOLDER_TOKENS})
    fast.save_pretrained(str(out_dir))
    return fast


def _lowercase_guard(texts: Iterable[str]) -> Iterator[str]:
    for text in texts:
        if text:
            yield text


def unk_rate(tokenizer, texts: Iterable[str]) -> tuple[float, int]:
    """Share of tokens that are [UNK] over `texts`, and the token count."""
    unk_id = tokenizer.unk_token_id
    total = unk = 0
    batch: list[str] = []

    def flush():
        nonlocal total, unk
        for ids in tokenizer(batch, add_special_tokens=False)["input_ids"]:
            total += len(ids)
            unk += sum(1 for i in ids if i == unk_id)

    for text in texts:
        batch.append(text)
        if len(batch) == 1000:
            flush()
            batch = []
    if batch:
        flush()
    return (unk / total if total else 0.0), total
