"""Text normalization: one canonical simplified-Chinese form of a post.

`normalize_text` turns any string into a `Normalized` result: the clean text the
models read (`text`) plus what was taken out of it and kept as data (URLs,
@mentions, #topics#, emoticons with their polarity hints, a `//@user:` repost
chain, the detected script). `normalize` does the same over a batch of records,
adding `text_norm` and a `norm` dict to each.

The steps run in an order that makes the whole idempotent:
normalize(normalize(x)) == normalize(x) — every step either removes something
that no later step can bring back, or rewrites text into a form it leaves alone.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

import ftfy
import opencc

from . import lexicons
from .config import load_config

# Zero-width characters, bidi marks, BOMs and C0 controls except tab and newline. C1
# controls (U+0080–U+009F) are removed only after mojibake repair, which needs them.
_C1 = re.compile("[\u0080-\u009f]")
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\u034f\u061c\u115f\u1160"
    "\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f"
    "\ufeff\uffa0\ufff0-\ufffb\U000e0000-\U000e0fff"
    # Lone surrogates: not text, and OpenCC cannot encode them.
    "\ud800-\udfff]"
)
# Full-width forms of ASCII letters, digits and symbols that are not used as Chinese
# punctuation. ！？，：；（）～ and the ideographic full stop stay: they are the normal
# punctuation of Chinese text and the clause splitter reads them.
_KEEP_FULLWIDTH = set("！？，：；（）～")
_WIDTH_TABLE = {
    code: code - 0xFEE0
    for code in range(0xFF01, 0xFF5F)
    if chr(code) not in _KEEP_FULLWIDTH
}
_WIDTH_TABLE[0x3000] = 0x20  # ideographic space

_URL = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff<>\"'\[\]]+", re.I)
_TOPIC = re.compile(r"#([^#\n]{1,60})#")
# @name: up to a space, colon, punctuation or the end. Weibo names hold CJK, letters, digits, - and _.
_MENTION = re.compile(r"@([\w\u4e00-\u9fff\-]{1,30})")
_REPOST = re.compile(r"//\s*@")
_BRACKET_CODE = re.compile(r"\[[^\[\]\s]{1,12}\]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f]+")
_NEWLINES = re.compile(r"\s*\n\s*")
# Mojibake that ftfy can repair shows up as Latin-1 / cp1252 letters inside CJK text.
_LATIN1_SUSPECT = re.compile(r"[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{2,}")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Common simplified characters: their share tells a good GBK repair from a bad one.
_COMMON = set(
    "的一是不了人我在有他这中大来上个们到说和地也子时道出而要于就下得可你年生自会那后能对着事其里"
    "所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只"
    "主没公从很买东西质量快递客服好评差感觉喜欢非常真的太价格便宜贵包装物流卖家商品产品效果味道"
)


@dataclass
class Normalized:
    """The result of normalizing one text."""

    text: str
    script: str = "zh-Hans"                 # detected / declared: zh-Hans, zh-TW, zh-HK, zh-Hant
    urls: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    emoticons: list[dict] = field(default_factory=list)   # {"token", "polarity"}
    repost_chain: list[str] = field(default_factory=list)  # `//@user: ...` parts, outermost first
    repaired: bool = False                                 # mojibake was repaired
    removed: list[str] = field(default_factory=list)       # boilerplate taken out

    def as_dict(self) -> dict:
        data = {
            "script": self.script,
            "urls": self.urls,
            "mentions": self.mentions,
            "topics": self.topics,
            "emoticons": self.emoticons,
            "repost_chain": self.repost_chain,
            "removed": self.removed,
        }
        if self.repaired:
            data["repaired"] = True
        return data


@lru_cache(maxsize=8)
def _converter(name: str) -> opencc.OpenCC:
    return opencc.OpenCC(name)


class Normalizer:
    """Holds the converters, lexicons and settings; `__call__` normalizes one text."""

    def __init__(self, config: dict | None = None):
        config = config or load_config()
        settings = config["normalize"]
        self.opencc_by_script: dict[str, str] = dict(settings["opencc"])
        self.cantonese = set(settings["cantonese_markers"])
        self.max_repeat = int(settings["max_repeat"])
        self.placeholders = dict(settings["placeholders"])
        self.emoticons = lexicons.emoticons()
        self.emoji_codes = {c: e for c, e in self.emoticons.items() if not c.startswith("[")}
        # Longest first, so 👍🏻 wins over 👍 and ❤️ over ❤.
        self.emoji_pattern = (
            re.compile("|".join(re.escape(c) for c in sorted(self.emoji_codes, key=len, reverse=True)))
            if self.emoji_codes else None
        )
        self.boilerplate = lexicons.boilerplate_pattern()
        n = self.max_repeat
        # A single character repeated more than n times, and a 2–4 character unit repeated
        # more than n times (好的好的好的好的 → 好的好的好的).
        self.repeat_char = re.compile(r"(.)\1{%d,}" % n, re.S)
        self.repeat_unit = re.compile(r"(.{2,4}?)\1{%d,}" % n, re.S)
        self._to_simplified = _converter("t2s")

    # -- steps -------------------------------------------------------------

    @staticmethod
    def repair_mojibake(text: str) -> tuple[str, bool]:
        """Undo UTF-8 bytes decoded as Latin-1/cp1252 (ftfy) or as GBK (round trip)."""
        if _LATIN1_SUSPECT.search(text):
            fixed = ftfy.fix_encoding(text)
            if fixed != text:
                return fixed, True
        if _CJK.search(text):
            try:
                candidate = text.encode("gbk").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                return text, False
            # A real repair turns rare characters into common ones.
            if candidate != text and _common_share(candidate) > _common_share(text) + 0.2:
                return candidate, True
        return text, False

    def detect_script(self, text: str, declared: str | None = None) -> str:
        if declared:
            declared = declared.replace("_", "-")
            lowered = declared.lower()
            if lowered in ("zh-tw", "zh-hant-tw", "tw"):
                return "zh-TW"
            if lowered in ("zh-hk", "zh-hant-hk", "zh-mo", "hk", "yue"):
                return "zh-HK"
            if lowered in ("zh-hant", "zh-tw-hant", "traditional"):
                return "zh-Hant"
            if lowered in ("zh-hans", "zh-cn", "zh", "simplified"):
                return "zh-Hans"
        if not _CJK.search(text) or self._to_simplified.convert(text) == text:
            return "zh-Hans"
        if any(ch in self.cantonese for ch in text):
            return "zh-HK"
        return "zh-TW"  # phrase-level Taiwan conversion is the better default for traditional text

    def to_simplified(self, text: str, script: str) -> str:
        if script == "zh-Hans":
            return text
        return _converter(self.opencc_by_script.get(script, "t2s")).convert(text)

    def _emoticon(self, match: re.Match, found: list[dict]) -> str:
        entry = self.emoticons.get(match.group(0))
        if entry is None:
            return match.group(0)
        found.append({"token": entry.token, "polarity": entry.polarity})
        return entry.token

    def cap_repeats(self, text: str) -> str:
        n = self.max_repeat
        text = self.repeat_char.sub(lambda m: m.group(1) * n, text)
        return self.repeat_unit.sub(lambda m: m.group(1) * n, text)

    # -- the whole ----------------------------------------------------------

    def __call__(self, text: str, lang: str | None = None) -> Normalized:
        result = self._once(text, lang)
        # Mojibake repair is the one step that can find new work in its own output
        # (ftfy on Latin-1 garbage); rerun to a fixpoint where it may apply.
        for _ in range(4):
            if not (result.repaired or _LATIN1_SUSPECT.search(result.text)):
                break
            again = self._once(result.text, result.script)
            if again.text == result.text:
                break
            result.text = again.text
            result.repaired = True
        return result

    def _once(self, text: str, lang: str | None) -> Normalized:
        result = Normalized(text="")
        text = _INVISIBLE.sub("", text)
        text, result.repaired = self.repair_mojibake(text)
        text = unicodedata.normalize("NFC", _INVISIBLE.sub("", _C1.sub("", text)))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.translate(_WIDTH_TABLE)

        result.script = self.detect_script(text, lang)
        text = self.to_simplified(text, result.script)

        # Boilerplate before anything else reads the text; then the repost chain, so the
        # author's own words stay apart from the words they quote.
        removed = [m.group(0) for m in self.boilerplate.finditer(text) if m.group(0)]
        if removed:
            result.removed = removed
            text = self.boilerplate.sub(" ", text)
        parts = _REPOST.split(text)
        if len(parts) > 1:
            text = parts[0]
            result.repost_chain = ["@" + p.strip() for p in parts[1:] if p.strip()]

        result.urls = _URL.findall(text)
        text = _URL.sub(f" {self.placeholders['url']} ", text)
        result.topics = [t.strip() for t in _TOPIC.findall(text)]
        text = _TOPIC.sub(f" {self.placeholders['topic']} ", text)
        result.mentions = _MENTION.findall(text)
        text = _MENTION.sub(f" {self.placeholders['mention']} ", text)

        found: list[dict] = []
        text = _BRACKET_CODE.sub(lambda m: self._emoticon(m, found), text)
        if self.emoji_pattern is not None:
            text = self.emoji_pattern.sub(lambda m: self._emoticon(m, found), text)
        result.emoticons = found

        text = self.cap_repeats(text)
        text = _SPACES.sub(" ", text)
        text = _NEWLINES.sub("\n", text).strip()
        # Spaces between two CJK characters are layout, not meaning (用 了 一 个 月).
        text = _CJK_SPACE.sub("", text)
        result.text = self.cap_repeats(text)
        return result


_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff，。！？、；：]) (?=[\u4e00-\u9fff，。！？、；：])")


def _common_share(text: str) -> float:
    cjk = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    return sum(ch in _COMMON for ch in cjk) / len(cjk) if cjk else 0.0


@lru_cache(maxsize=1)
def default_normalizer() -> Normalizer:
    return Normalizer()


def normalize_text(text: str, lang: str | None = None) -> str:
    """The normalized form of one text (the string only)."""
    return default_normalizer()(text, lang).text


def normalize(records: Iterable[dict], normalizer: Normalizer | None = None) -> list[dict]:
    """Add `text_norm` and `norm` (what normalization took out, as data) to each record."""
    normalizer = normalizer or default_normalizer()
    out = []
    for record in records:
        result = normalizer(record["text"], record.get("lang"))
        record["text_norm"] = result.text
        record["norm"] = result.as_dict()
        out.append(record)
    return out
