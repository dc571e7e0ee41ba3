"""Platform adapters: crawler exports → input records of architecture.md.

Each adapter recognises its files from the path and the header, maps fields as set in
configs/platforms/*.yaml, keeps unmapped fields under `extra`, converts timestamps to
UTC (timezone from the config, default Asia/Shanghai) and turns an empty text or a
crawler's placeholder text into a Reject with its reason. `read_any(path)` picks the
adapter, falling back to the plain JSONL / CSV / Parquet readers.
"""
from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import yaml

from ...config import PROJECT_ROOT
from ...records import Reject
from ..readers import Item, detect_encoding, read_raw
from ..timeparse import TimeParseError, to_utc_iso

CONFIG_DIR = PROJECT_ROOT / "configs" / "platforms"
PLACEHOLDERS = ("此用户未填写评价内容", "此用户没有填写评价", "该用户未填写评价", "系统默认好评", "用户未及时评价")


@lru_cache(maxsize=None)
def mapping(name: str) -> dict:
    with (CONFIG_DIR / f"{name}.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _first(row: dict, names: list[str]):
    for name in names or []:
        value = row.get(name)
        if value is not None and str(value).strip() != "":
            return value
    return None


def _clean_id(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip().strip("\t").strip()
    return value or None


def _reference_time(path: Path) -> datetime:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    except OSError:
        return datetime.now(timezone.utc)


def build_record(row: dict, fields: dict, *, platform: str, kind: str, source: str, line: int, tz: str,
                 reference: datetime, epoch_unit: str = "auto", fallback_id: str | None = None) -> dict | Reject:
    """Map one raw row with `fields` ({target: [source names]}) to an input record or a Reject."""
    raw = json.dumps(row, ensure_ascii=False, default=str)
    text = _first(row, fields.get("text"))
    if text is None:
        return Reject(source, line, "text", "empty text", raw)
    text = str(text)
    if text.strip() in PLACEHOLDERS:
        return Reject(source, line, "text", f"crawler placeholder text {text.strip()!r}", raw)
    record_id = _clean_id(_first(row, fields.get("id"))) or fallback_id
    if record_id is None:
        return Reject(source, line, "id", "id is missing", raw)
    try:
        created_at = to_utc_iso(_first(row, fields.get("created_at")), tz, reference, epoch_unit)
    except TimeParseError as error:
        return Reject(source, line, "created_at", str(error), raw)
    used = {name for names in fields.values() if isinstance(names, list) for name in names}
    record = {"id": record_id, "text": text, "platform": platform, "kind": kind, "created_at": created_at}
    for target in ("author", "parent_id", "url", "brand", "room_id"):
        value = _first(row, fields.get(target))
        if value is not None:
            record[target] = _clean_id(value)
    record["extra"] = {k: v for k, v in row.items() if k not in used and v not in (None, "")}
    return record


def _hash_id(*parts) -> str:
    return hashlib.sha1("\u241f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


# -- reading rows ----------------------------------------------------------------------

def _open_text(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")
    head = raw.read(1 << 16)
    raw.seek(0)
    encoding = detect_encoding(head)
    return io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str] | None, list[str]]]:
    """(line, header, row) for every CSV row, ragged rows included."""
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        header = None
        previous = 0
        for row in reader:
            start = previous + 1
            previous = reader.line_num
            if header is None:
                header = [h.strip().lstrip("\ufeff") for h in row]
                continue
            if any(cell.strip() for cell in row):
                yield start, header, row


# Characters read at a time from a JSON array file: memory stays bounded by this plus the
# largest single item, not the file.
_JSON_CHUNK_CHARS = 1 << 20
_JSON_SEPARATORS = " \r\n\t,"


def _json_rows(path: Path) -> Iterator[tuple[int, dict | Reject]]:
    """Rows of a JSON array file (MediaCrawler's .json) or of JSONL, streamed; a truncated
    array yields its complete objects and one Reject quarantining the unreadable rest."""
    with _open_text(path) as handle:
        head = handle.read(_JSON_CHUNK_CHARS)
        if head.lstrip().startswith("["):
            yield from _json_array_rows(str(path), handle, head)
            return
        # JSONL: finish the head's last line, then read line by line.
        lines = io.StringIO(head + handle.readline())
        for number, line in enumerate(_chain_lines(lines, handle), 1):
            if not line.strip():
                continue
            line = line.rstrip("\r\n")
            try:
                value = json.loads(line)
            except json.JSONDecodeError as error:
                yield number, Reject(str(path), number, None, f"broken JSON: {error.msg}", line)
                continue
            yield number, value if isinstance(value, dict) else Reject(str(path), number, None, "not an object", line)


def _chain_lines(*sources) -> Iterator[str]:
    for source in sources:
        yield from source


def _json_array_rows(source: str, handle, buffer: str) -> Iterator[tuple[int, dict | Reject]]:
    """Items of a JSON array read chunk by chunk with JSONDecoder.raw_decode; line numbers
    counted as the text is consumed. An item that fails to decode is retried with more text
    until the end of the file, where it is quarantined with everything after it."""
    decoder = json.JSONDecoder()
    position = buffer.index("[") + 1
    line = buffer.count("\n", 0, position) + 1
    at_end = False

    def more() -> bool:
        """Append the next chunk (dropping what is consumed); False, buffer untouched, at the end."""
        nonlocal buffer, position, at_end
        chunk = handle.read(_JSON_CHUNK_CHARS)
        if not chunk:
            at_end = True
            return False
        buffer, position = buffer[position:] + chunk, 0
        return True

    while True:
        while True:  # skip separators, reading on when the buffer runs out
            while position < len(buffer) and buffer[position] in _JSON_SEPARATORS:
                line += buffer[position] == "\n"
                position += 1
            if position < len(buffer) or not more():
                break
        if position >= len(buffer) or buffer[position] == "]":
            return
        try:
            value, end = decoder.raw_decode(buffer, position)
        except json.JSONDecodeError as error:
            if not at_end and more():
                continue
            yield line, Reject(source, line, None, f"truncated or broken JSON array from here ({error.msg}); "
                                                   "rest quarantined", buffer[position:position + 2000])
            return
        if end == len(buffer) and not at_end and more():
            continue  # the item may go on in the next chunk (a number split in two): decode again
        yield line, value if isinstance(value, dict) else Reject(source, line, None, "array item is not an object",
                                                                  str(value))
        line += buffer.count("\n", position, end)
        position = end
        if position > _JSON_CHUNK_CHARS:
            buffer, position = buffer[position:], 0


# -- adapters ---------------------------------------------------------------------------

class Adapter:
    name = "generic"

    def matches(self, path: Path, head: str) -> bool:
        raise NotImplementedError

    def read(self, path: Path, tz: str) -> Iterator[Item]:
        raise NotImplementedError


class MediaCrawler(Adapter):
    name = "mediacrawler"

    def __init__(self):
        self.config = mapping("mediacrawler")
        self.pattern = re.compile(self.config["path_pattern"])

    def matches(self, path: Path, head: str) -> bool:
        return bool(self.pattern.search(path.as_posix()))

    def read(self, path: Path, tz: str) -> Iterator[Item]:
        short, what = self.pattern.search(path.as_posix()).groups()[:2]
        platform = self.config["platforms"][short]
        fields = self.config[what]
        unit = self.config["epoch_unit"].get(short, self.config["epoch_unit"]["default"])
        reference = _reference_time(path)
        if path.suffix == ".csv":
            rows = ((line, dict(zip(header, row)) if len(row) == len(header) else
                     Reject(str(path), line, None, f"row has {len(row)} fields, header has {len(header)}", ",".join(row)))
                    for line, header, row in _csv_rows(path))
        else:
            rows = _json_rows(path)
        for line, row in rows:
            if isinstance(row, Reject):
                yield line, row
                continue
            record = build_record(row, fields, platform=platform, kind=fields["kind"], source=str(path), line=line,
                                  tz=tz, reference=reference, epoch_unit=unit)
            if isinstance(record, dict):
                parent = record.get("parent_id")
                # Top-level comments: parent "0", 0 or "", and on Weibo the comment's own id.
                if parent in (None, "0", "") or parent == record["id"]:
                    record["parent_id"] = None
                if what == "contents" and row.get("title") and row.get("desc") and row["title"] not in row["desc"]:
                    record["text"] = f"{row['title']}。{row['desc']}"
                thread = _first(row, fields.get("thread_id"))
                if thread is not None:
                    record["extra"]["thread_id"] = _clean_id(thread)
            yield line, record


class WeiboCrawler(Adapter):
    name = "weibo_crawler"

    def matches(self, path: Path, head: str) -> bool:
        first = head.splitlines()[0] if head else ""
        return path.suffix == ".csv" and any(all(h in first for h in part["header_has"])
                                             for part in mapping("weibo_crawler").values())

    def read(self, path: Path, tz: str) -> Iterator[Item]:
        config = mapping("weibo_crawler")
        reference = _reference_time(path)
        for line, header, row in _csv_rows(path):
            fields = next(part for part in config.values() if all(h in header for h in part["header_has"]))
            # Repost rows are ragged: extra cells past the header are the reposted weibo, kept aside.
            values = dict(zip(header, row))
            if len(row) > len(header):
                values["repost_fields"] = row[len(header):]
            record = build_record(values, fields, platform="weibo", kind=fields["kind"], source=str(path), line=line,
                                  tz=tz, reference=reference)
            yield line, record


class ShopReviews(Adapter):
    name = "shop_reviews"

    def matches(self, path: Path, head: str) -> bool:
        first = head.splitlines()[0] if head else ""
        return path.suffix in (".csv", ".gz") and any(all(h in first for h in part["header_has"])
                                                      for part in mapping("shops").values())

    def read(self, path: Path, tz: str) -> Iterator[Item]:
        config = mapping("shops")
        reference = _reference_time(path)
        for line, header, row in _csv_rows(path):
            fields = next(part for part in config.values() if all(h in header for h in part["header_has"]))
            values = dict(zip(header, row))
            # Exports without a review id: a stable id from the review itself, so a re-export
            # or an appended duplicate maps to the same post.
            fallback = "h" + _hash_id(values.get(fields["text"][0]), values.get(fields["created_at"][0]),
                                      _first(values, fields.get("author")))
            yield line, build_record(values, fields, platform=fields["platform"], kind=fields["kind"], source=str(path),
                                     line=line, tz=tz, reference=reference, fallback_id=fallback)


class DouyinBarrage(Adapter):
    name = "douyin_barrage"

    def matches(self, path: Path, head: str) -> bool:
        return bool(re.match(r'\s*\{\s*"Type"\s*:\s*\d+\s*,\s*"Data"\s*:', head))

    def read(self, path: Path, tz: str) -> Iterator[Item]:
        config = mapping("live")["douyin_barrage"]
        # The log carries no timestamps: every message gets the file's time.
        created_at = _reference_time(path).isoformat()
        with _open_text(path) as handle:
            for line, text in enumerate(handle, 1):
                if not text.strip():
                    continue
                try:
                    event = json.loads(text)
                    data = json.loads(event["Data"]) if isinstance(event.get("Data"), str) else event.get("Data") or {}
                except (json.JSONDecodeError, TypeError, KeyError) as error:
                    yield line, Reject(str(path), line, None, f"broken barrage line: {error}", text.strip())
                    continue
                if event.get("Type") not in config["chat_types"]:
                    continue  # member, gift, like … events are not posts
                user = data.get("User") or {}
                content = data.get("Content")
                if not content or not str(content).strip():
                    yield line, Reject(str(path), line, "text", "empty text", text.strip())
                    continue
                record_id = _clean_id(data.get("MsgId")) or "h" + _hash_id(path.name, line, content)
                yield line, {"id": record_id, "text": str(content), "platform": config["platform"], "kind": config["kind"],
                             "created_at": created_at, "room_id": _clean_id(data.get("RoomId") or data.get("WebRoomId")),
                             "author": _clean_id(user.get("Id") or user.get("DisplayId")),
                             "extra": {"nickname": user.get("Nickname")}}


class BilibiliXml(Adapter):
    name = "bilibili_xml"

    def matches(self, path: Path, head: str) -> bool:
        return path.suffix == ".xml" and ("<d p=" in head or "<i>" in head or "chatid" in head)

    def read(self, path: Path, tz: str) -> Iterator[Item]:
        config = mapping("live")["bilibili_xml"]
        parser = ET.XMLPullParser(events=("end",))
        room = path.stem
        source = str(path)
        with _open_text(path) as handle:
            for line, text in enumerate(handle, 1):
                try:
                    parser.feed(text)
                    events = list(parser.read_events())
                except ET.ParseError as error:
                    rest = text + handle.read()
                    yield line, Reject(source, line, None, f"broken XML ({error}); the rest of the file is quarantined", rest[:5000])
                    return
                for _, element in events:
                    if element.tag == "chatid" and element.text:
                        room = element.text.strip()
                    elif element.tag == "d":
                        yield line, self._danmaku(element, room, source, line, config)
                        element.clear()

    @staticmethod
    def _danmaku(element, room: str, source: str, line: int, config: dict) -> dict | Reject:
        raw = ET.tostring(element, encoding="unicode")
        parts = (element.get("p") or "").split(",")
        if len(parts) < 8:
            return Reject(source, line, "p", f"danmaku attribute p has {len(parts)} fields, expected 8 or 9", raw)
        text = element.text or ""
        if not text.strip():
            return Reject(source, line, "text", "empty text", raw)
        try:
            created_at = to_utc_iso(int(parts[4]))
        except (ValueError, TimeParseError) as error:
            return Reject(source, line, "created_at", f"bad ctime {parts[4]!r}: {error}", raw)
        return {"id": parts[7], "text": text, "platform": config["platform"], "kind": config["kind"],
                "created_at": created_at, "room_id": room, "author": parts[6],
                "extra": {"progress_s": float(parts[0]) if parts[0] else None, "mode": parts[1], "pool": parts[5],
                          **({"weight": parts[8]} if len(parts) > 8 else {})}}


ADAPTERS: list[Adapter] = []


def adapters() -> list[Adapter]:
    if not ADAPTERS:
        ADAPTERS.extend([MediaCrawler(), DouyinBarrage(), BilibiliXml(), ShopReviews(), WeiboCrawler()])
    return ADAPTERS


def _head(path: Path) -> str:
    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as handle:
            sample = handle.read(4096)
    except OSError:
        return ""
    encoding = detect_encoding(sample)
    return codecs.decode(sample, encoding, errors="ignore").lstrip("\ufeff")


def detect(path: str | os.PathLike) -> Adapter | None:
    path = Path(path)
    head = _head(path)
    for adapter in adapters():
        if adapter.matches(path, head):
            return adapter
    return None


def read_any(path: str | os.PathLike, format: str | None = None, tz: str = "Asia/Shanghai") -> Iterator[Item]:
    """Rows of a crawler export through its adapter, else of a plain input file."""
    path = Path(path)
    if format is None and path.exists() and path.is_file():
        adapter = detect(path)
        if adapter is not None:
            return adapter.read(path, tz)
    return read_raw(path, format)
