"""Segmentation: comments into clauses, chat streams into messages, text into words.

- `split_clauses(text)` cuts a normalized comment at sentence punctuation and before
  contrast connectives (质量很好，但是客服不理人 → two clauses), with character offsets.
- `collapse_floods(records)` groups danmaku / livestream chat per `room_id` in time
  order and folds flooding (666, 扣1, 哈哈哈, 来了, emoji-only …) into one record that
  keeps the count and the member ids: nothing is lost.
- `words(text)` is jieba with the project's slang and brand dictionary, loaded once.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from . import lexicons
from .config import load_config

STREAM_KINDS = ("danmaku", "live_chat")

# Clause boundaries: sentence punctuation and commas (a Chinese clause is usually comma-delimited).
_SENTENCE_END = "。！？!?；;…\n~～，,"
# Bracketed tokens made by normalize ([URL], [狗头]) are one word / one unit each.
_BRACKET_TOKEN = re.compile(r"\[[^\[\]\s]{1,12}\]")
_NON_CONTENT = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Clause:
    text: str
    start: int   # offsets into the normalized text: text_norm[start:end] == text
    end: int


class ClauseSplitter:
    def __init__(self, config: dict | None = None):
        settings = (config or load_config())["segment"]
        self.min_chars = int(settings["clause_min_chars"])
        connectives = sorted(settings["contrast_connectives"], key=len, reverse=True)
        strong = [c for c in connectives if len(c) >= 2 and c not in ("就是", "只是")]
        # Two-character connectives (但是, 不过 …) open a clause wherever they stand;
        # ambiguous or one-character ones (就是, 但, 却) only right after a comma.
        self.sentence_end = re.compile(f"[{re.escape(_SENTENCE_END)}]+")
        self.break_before = re.compile(
            "(?<=[，,、 ])(?=(?:%s))|(?<=[^，,、 ])(?=(?:%s))"
            % ("|".join(map(re.escape, connectives)), "|".join(map(re.escape, strong)))
        )

    def __call__(self, text: str) -> list[Clause]:
        clauses: list[Clause] = []
        for start, end in self._sentences(text):
            cut = start
            for match in self.break_before.finditer(text, start, end):
                if match.start() - cut >= max(self.min_chars, 4):
                    self._add(clauses, text, cut, match.start())
                    cut = match.start()
            self._add(clauses, text, cut, end)
        return clauses

    def _sentences(self, text: str):
        start = 0
        for match in self.sentence_end.finditer(text):
            yield start, match.end()
            start = match.end()
        if start < len(text):
            yield start, len(text)

    def _add(self, clauses: list[Clause], text: str, start: int, end: int) -> None:
        # Trim spaces and the commas a cut leaves behind, keeping offsets exact.
        while start < end and text[start] in " ，,、\n":
            start += 1
        while end > start and text[end - 1] in " ，,、\n":
            end -= 1
        if start >= end:
            return
        if clauses and (end - start < self.min_chars or not _NON_CONTENT.sub("", text[start:end])):
            # A fragment too short to stand alone (a lone "！") joins the clause before it.
            previous = clauses[-1]
            clauses[-1] = Clause(text[previous.start:end], previous.start, end)
            return
        clauses.append(Clause(text[start:end], start, end))


# -- words ----------------------------------------------------------------------

_jieba_lock = threading.Lock()
_jieba_tokenizer = None


def _tokenizer():
    """One jieba tokenizer per process with the slang/brand dictionary loaded."""
    global _jieba_tokenizer
    if _jieba_tokenizer is None:
        with _jieba_lock:
            if _jieba_tokenizer is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                path = lexicons.slang_dictionary_path()
                if path.exists():
                    tokenizer.load_userdict(str(path))
                for brand in lexicons.brands():
                    for name in (brand.canonical, *brand.aliases):
                        if len(name) >= 2:
                            tokenizer.add_word(name, 20000, "nz")
                _jieba_tokenizer = tokenizer
    return _jieba_tokenizer


def words(text: str, hmm: bool = True) -> list[str]:
    """Words of a normalized text; bracket tokens ([URL], [狗头]) stay whole; spaces dropped."""
    tokenizer = _tokenizer()
    out: list[str] = []
    position = 0
    for match in _BRACKET_TOKEN.finditer(text):
        out.extend(tokenizer.lcut(text[position:match.start()], HMM=hmm))
        out.append(match.group(0))
        position = match.end()
    out.extend(tokenizer.lcut(text[position:], HMM=hmm))
    return [w for w in out if w.strip()]


# -- flooding in chat streams ----------------------------------------------------------

def flood_key(text: str) -> str:
    """A canonical form under which flood messages coincide: 6666→6, 扣1扣1→扣1, 哈哈哈→哈."""
    key = _NON_CONTENT.sub("", text.lower())
    if not key:
        return "<punct>"
    if _BRACKET_TOKEN.sub("", text).strip() == "":
        return "<emoji>"
    # Shortest unit whose repetition makes the key.
    for size in range(1, len(key) // 2 + 1):
        if len(key) % size == 0 and key[:size] * (len(key) // size) == key:
            return key[:size]
    return key


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def _similar(a: str, b: str, threshold: float) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 2:
        return False
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) >= threshold


def _seconds(value) -> float | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return None


class FloodCollapser:
    """Folds floods in danmaku / livestream streams into one record each."""

    def __init__(self, config: dict | None = None):
        settings = (config or load_config())["segment"]["flood"]
        self.window = float(settings["window_seconds"])
        self.min_count = int(settings["min_count"])
        self.similarity = float(settings["similarity"])
        self.phrases = {flood_key(p) for p in lexicons.flood_phrases()}

    def floodable(self, text: str) -> bool:
        # Long messages are conversation, not flooding, even when repeated.
        return len(_NON_CONTENT.sub("", text)) <= 20

    def groups(self, stream: list[dict]) -> list[list[dict]]:
        """Messages of one room (sorted by time) in groups: a flood, or a single message."""
        groups: list[list[dict]] = []
        open_floods: list[tuple[str, float | None, list[dict]]] = []
        for record in stream:
            text = record.get("text_norm") or record["text"]
            if not self.floodable(text):
                groups.append([record])
                continue
            key, moment = flood_key(text), _seconds(record.get("created_at"))
            match = None
            for index, (other_key, last, members) in enumerate(open_floods):
                close_in_time = moment is None or last is None or moment - last <= self.window
                if close_in_time and _similar(key, other_key, self.similarity):
                    match = index
                    break
            if match is None:
                members = [record]
                groups.append(members)
                open_floods.append((key, moment, members))
            else:
                other_key, _, members = open_floods[match]
                members.append(record)
                open_floods[match] = (other_key, moment, members)
            # Forget floods whose window has passed, so the scan stays short.
            if moment is not None:
                open_floods = [f for f in open_floods if f[1] is None or moment - f[1] <= self.window]
        return groups

    def hold_open(self, records: list[dict], tail_messages: int = 200) -> tuple[list[dict], list[dict]]:
        """Split a batch into records final now and chat messages whose flood may go on.

        A flood that straddles two input batches would otherwise be cut in two, and counted
        twice by the index. A message is held for the next batch when it is floodable and its
        group is still open at the end of this batch: its last member is within the time
        window of the stream's latest message (or, without timestamps, among the stream's
        last `tail_messages` messages). Returns (ready in input order, held).
        """
        streams: dict[str, list[dict]] = {}
        for record in records:
            key = stream_key(record)
            if key is not None:
                streams.setdefault(key, []).append(record)
        held_ids: set[int] = set()
        for stream in streams.values():
            stream = sorted(stream, key=lambda r: (r.get("created_at") is None, r.get("created_at") or ""))
            moments = [_seconds(r.get("created_at")) for r in stream]
            known = [m for m in moments if m is not None]
            latest = max(known) if known else None
            position = {id(r): i for i, r in enumerate(stream)}
            for members in self.groups(stream):
                last = members[-1]
                if not self.floodable(last.get("text_norm") or last["text"]):
                    continue
                moment = moments[position[id(last)]]
                if moment is not None and latest is not None:
                    still_open = latest - moment <= self.window
                else:
                    still_open = position[id(last)] >= len(stream) - tail_messages
                if still_open:
                    held_ids.update(id(m) for m in members)
        ready = [r for r in records if id(r) not in held_ids]
        held = [r for r in records if id(r) in held_ids]
        return ready, held

    def collapse(self, stream: list[dict]) -> list[dict]:
        out = []
        for members in self.groups(stream):
            if len(members) < self.min_count:
                out.extend(members)
                continue
            lead = dict(members[0])
            lead["flood"] = {
                "count": len(members),
                "member_ids": [m["id"] for m in members],
                "key": flood_key(lead.get("text_norm") or lead["text"]),
                "first_at": members[0].get("created_at"),
                "last_at": members[-1].get("created_at"),
                "known_filler": flood_key(lead.get("text_norm") or lead["text"]) in self.phrases,
            }
            out.append(lead)
        return out


def stream_key(record: dict) -> str | None:
    """The stream a record belongs to, or None for an ordinary post."""
    if record.get("kind") in STREAM_KINDS and record.get("room_id"):
        return f"{record.get('platform') or ''}:{record['room_id']}"
    return None


def collapse_floods(records: Iterable[dict], collapser: FloodCollapser | None = None) -> list[dict]:
    """Posts pass through unchanged; each chat stream is sorted by time and its floods folded.

    Streams are emitted where their first message stood in the input.
    """
    collapser = collapser or FloodCollapser()
    streams: dict[str, list[dict]] = {}
    order: list = []
    for record in records:
        key = stream_key(record)
        if key is None:
            order.append(record)
        else:
            if key not in streams:
                streams[key] = []
                order.append(key)
            streams[key].append(record)
    out: list[dict] = []
    for item in order:
        if isinstance(item, str):
            stream = sorted(streams[item], key=lambda r: (r.get("created_at") is None, r.get("created_at") or ""))
            out.extend(collapser.collapse(stream))
        else:
            out.append(item)
    return out


# -- batch interface --------------------------------------------------------------

_default_splitter: ClauseSplitter | None = None


def split_clauses(text: str) -> list[Clause]:
    global _default_splitter
    if _default_splitter is None:
        _default_splitter = ClauseSplitter()
    return _default_splitter(text)


def segment(records: Iterable[dict], with_words: bool = True, splitter: ClauseSplitter | None = None) -> list[dict]:
    """Add `clauses`, `clause_spans` (offsets into text_norm) and `words` to normalized records."""
    splitter = splitter or ClauseSplitter()
    out = []
    for record in records:
        text = record.get("text_norm")
        if text is None:
            raise ValueError(f"record {record.get('id')!r} is not normalized (no text_norm)")
        clauses = splitter(text)
        record["clauses"] = [c.text for c in clauses]
        record["clause_spans"] = [[c.start, c.end] for c in clauses]
        if with_words:
            record["words"] = words(text)
        out.append(record)
    return out
