"""Record types and validation of input records (architecture.md, "Records").

Records travel through the pipeline as plain dicts (cheap to stream and to write
as JSON); this module says which fields they have and checks input records.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

PLATFORMS = ("jd", "taobao", "weibo", "douyin", "xiaohongshu", "bilibili", "kuaishou", "other")
KINDS = ("review", "post", "comment", "danmaku", "live_chat")
DIMENSIONS = ("brand", "content", "interaction")
TRUST_LABELS = ("absent", "pos", "neu", "neg")
SENTIMENT_LABELS = ("pos", "neu", "neg")

REQUIRED = ("id", "text")
OPTIONAL_STRINGS = ("platform", "kind", "brand", "author", "parent_id", "room_id", "url", "lang")


@dataclass
class Reject:
    """A record that could not be used, and why. Written to `<out>.rejects.jsonl`."""

    source: str
    line: int
    field: str | None
    reason: str
    raw: str

    def as_dict(self) -> dict:
        return asdict(self)

    def message(self) -> str:
        where = f"{self.source}:{self.line}"
        return f"{where}: field '{self.field}': {self.reason}" if self.field else f"{where}: {self.reason}"


class RecordError(ValueError):
    """An input record is invalid; `field` names the offending field."""

    def __init__(self, field: str | None, reason: str):
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _as_id(value: Any) -> str:
    # Ids arrive as strings or integers (CSV readers and crawlers differ); both are fine.
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordError("id", f"must be a string or integer, got {type(value).__name__}")
    value = str(value).strip()
    if not value:
        raise RecordError("id", "is empty")
    return value


def parse_created_at(value: Any) -> str | None:
    """ISO 8601 or epoch seconds (milliseconds accepted) → ISO 8601 in UTC; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RecordError("created_at", "must be ISO 8601 or epoch seconds, got a boolean")
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit()):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000.0
        try:
            moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError) as error:
            raise RecordError("created_at", f"epoch value out of range: {value!r}") from error
        return moment.isoformat()
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as error:
            raise RecordError("created_at", f"not ISO 8601 or epoch seconds: {value!r}") from error
        if moment.tzinfo is None:
            # Naive times in Chinese UGC are Beijing time.
            from zoneinfo import ZoneInfo

            moment = moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
        return moment.astimezone(timezone.utc).isoformat()
    raise RecordError("created_at", f"must be ISO 8601 or epoch seconds, got {type(value).__name__}")


def validate(raw: Any, max_text_chars: int = 10000) -> dict:
    """Check one input record and return it cleaned; raise RecordError naming the field."""
    if not isinstance(raw, dict):
        raise RecordError(None, f"record must be an object, got {type(raw).__name__}")
    for name in REQUIRED:
        if name not in raw or raw[name] is None:
            raise RecordError(name, "is missing")
    record = dict(raw)
    record["id"] = _as_id(raw["id"])
    text = raw["text"]
    if not isinstance(text, str):
        raise RecordError("text", f"must be a string, got {type(text).__name__}")
    if not text.strip():
        raise RecordError("text", "is empty")
    if len(text) > max_text_chars:
        raise RecordError("text", f"is longer than {max_text_chars} characters ({len(text)})")
    for name in OPTIONAL_STRINGS:
        value = raw.get(name)
        if value is None or value == "":
            record[name] = None
        elif isinstance(value, (str, int)) and not isinstance(value, bool):
            record[name] = str(value)
        else:
            raise RecordError(name, f"must be a string, got {type(value).__name__}")
    platform = record.get("platform")
    if platform is not None:
        platform = platform.strip().lower()
        if platform not in PLATFORMS:
            raise RecordError("platform", f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
        record["platform"] = platform
    kind = record.get("kind")
    if kind is not None:
        kind = kind.strip().lower()
        if kind not in KINDS:
            raise RecordError("kind", f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        record["kind"] = kind
    record["created_at"] = parse_created_at(raw.get("created_at"))
    return record
