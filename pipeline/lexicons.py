"""Loading the project's lexicons (lexicons/*.{csv,tsv,txt}) once per process."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .config import load_config, resolve


@dataclass(frozen=True)
class Emoticon:
    code: str       # as it appears in text: [捂脸], [doge], 😂
    token: str      # the stable canonical token written into text_norm: [捂脸], [狗头], [笑哭]
    polarity: str   # pos / neu / neg: a hint kept as data


@dataclass(frozen=True)
class Brand:
    canonical: str
    aliases: tuple[str, ...]
    category: str


def _path(name: str) -> Path:
    return resolve(load_config()["lexicons"][name])


def _lines(path: Path):
    with path.open(encoding="utf-8-sig") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.strip() and not line.lstrip().startswith("#"):
                yield line


@lru_cache(maxsize=1)
def emoticons() -> dict[str, Emoticon]:
    """code → Emoticon; every canonical token also maps to itself (so normalizing is idempotent)."""
    table: dict[str, Emoticon] = {}
    with _path("emoticons").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            code, token = (row.get("code") or "").strip(), (row.get("token") or "").strip()
            if not code or not token:
                continue
            polarity = (row.get("polarity") or "neu").strip() or "neu"
            table[code] = Emoticon(code, token, polarity)
    for emoticon in list(table.values()):
        table.setdefault(emoticon.token, Emoticon(emoticon.token, emoticon.token, emoticon.polarity))
    return table


@lru_cache(maxsize=1)
def brands() -> tuple[Brand, ...]:
    rows = []
    with _path("brands").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            canonical = (row.get("canonical") or "").strip()
            if not canonical:
                continue
            aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
            rows.append(Brand(canonical, aliases, (row.get("category") or "").strip()))
    return tuple(rows)


@lru_cache(maxsize=1)
def boilerplate_pattern() -> re.Pattern:
    """One alternation of every boilerplate regex, in file order (specific patterns first)."""
    patterns = list(_lines(_path("boilerplate")))
    return re.compile("|".join(f"(?:{p.strip()})" for p in patterns)) if patterns else re.compile(r"(?!x)x")


@lru_cache(maxsize=1)
def flood_phrases() -> frozenset[str]:
    return frozenset(line.strip() for line in _lines(_path("flood")))


def slang_dictionary_path() -> Path:
    return _path("slang")
