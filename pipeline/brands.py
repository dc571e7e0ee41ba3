"""Brand linking: which brands a post talks about, from lexicons/brands.csv.

A record that carries `brand` (a product page's brand) keeps it; otherwise every
brand whose canonical name or alias appears in the normalized text or its topics
is reported (`brands`, all of them, first mention first) and `brand` is the first.
"""
from __future__ import annotations

import re
from typing import Iterable

from . import lexicons
from .normalize import default_normalizer


class BrandLinker:
    def __init__(self, brands: Iterable[lexicons.Brand] | None = None):
        brands = tuple(brands if brands is not None else lexicons.brands())
        self.alias_to_brand: dict[str, str] = {}
        normalizer = default_normalizer()
        for brand in brands:
            for alias in (brand.canonical, *brand.aliases):
                # Aliases are matched against normalized (simplified) text, so their
                # normalized form is what is looked up.
                key = normalizer.to_simplified(alias, normalizer.detect_script(alias))
                for form in {alias, key}:
                    self.alias_to_brand.setdefault(self._fold(form), brand.canonical)
        cjk, latin_any, latin_exact = [], [], []
        for alias in sorted(self.alias_to_brand, key=len, reverse=True):
            if re.search(r"[\u4e00-\u9fff]", alias):
                cjk.append(re.escape(alias))
            elif len(alias) <= 3:
                latin_exact.append(alias)
            else:
                latin_any.append(re.escape(alias))
        # Latin names must stand as whole words (mi ≠ smile); short ones also match case
        # as written in the lexicon (MI, but not "mi").
        parts = []
        if cjk:
            parts.append("|".join(cjk))
        if latin_any:
            parts.append(r"(?<![A-Za-z0-9])(?i:%s)(?![A-Za-z0-9])" % "|".join(latin_any))
        self._exact_short = {a for a in latin_exact}
        self._short_cased = set()
        for brand in brands:
            for alias in (brand.canonical, *brand.aliases):
                if not re.search(r"[\u4e00-\u9fff]", alias) and len(alias) <= 3:
                    self._short_cased.add(alias)
        if self._short_cased:
            parts.append(r"(?<![A-Za-z0-9])(?:%s)(?![A-Za-z0-9])"
                         % "|".join(map(re.escape, sorted(self._short_cased, key=len, reverse=True))))
        self.pattern = re.compile("|".join(parts)) if parts else None

    @staticmethod
    def _fold(alias: str) -> str:
        return alias.lower()

    def find(self, text: str) -> list[str]:
        """Canonical names of every brand mentioned in `text`, in order of first mention."""
        if self.pattern is None or not text:
            return []
        found: list[str] = []
        for match in self.pattern.finditer(text):
            brand = self.alias_to_brand.get(self._fold(match.group(0)))
            if brand and brand not in found:
                found.append(brand)
        return found

    def __call__(self, record: dict) -> dict:
        text = record.get("text_norm") or record.get("text") or ""
        topics = (record.get("norm") or {}).get("topics") or []
        found = self.find(text)
        for topic in topics:
            for brand in self.find(topic):
                if brand not in found:
                    found.append(brand)
        given = record.get("brand")
        if given:
            record["brand_source"] = "field"
            canonical = self.find(given)
            record["brand"] = canonical[0] if canonical else given
            record["brands"] = [record["brand"]] + [b for b in found if b != record["brand"]]
        else:
            record["brand"] = found[0] if found else None
            record["brands"] = found
            record["brand_source"] = "lexicon" if found else None
        return record


_default: BrandLinker | None = None


def link_brands(records: Iterable[dict], linker: BrandLinker | None = None) -> list[dict]:
    """Add `brand` (kept if given, else the first found), `brands` (all) and `brand_source`."""
    global _default
    if linker is None:
        if _default is None:
            _default = BrandLinker()
        linker = _default
    return [linker(record) for record in records]
