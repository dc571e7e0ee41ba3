"""Timestamps as crawlers write them, to ISO 8601 in UTC.

Epoch seconds or milliseconds; ISO dates and datetimes; `2025-03-01`, `03-01 12:30`;
relative Chinese forms (`刚刚`, `5分钟前`, `3小时前`, `昨天 12:30`, `前天 08:00`, `2天前`);
RFC 2822 (`Sat, 01 Mar 2025 12:30:00 +0800`). Times without a zone are read in the
configured timezone (default Asia/Shanghai); relative forms are counted back from a
reference time (the file's modification time when crawled).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

_RELATIVE = re.compile(r"^(\d+)\s*(秒|分钟|分|小时|天|周|个月)前$")
_DAY_WORD = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/月](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_UNITS = {"秒": 1, "分钟": 60, "分": 60, "小时": 3600, "天": 86400, "周": 7 * 86400, "个月": 30 * 86400}


class TimeParseError(ValueError):
    pass


def to_utc_iso(value, tz: str = "Asia/Shanghai", reference: datetime | None = None, epoch_unit: str = "auto") -> str | None:
    """`value` as an ISO 8601 UTC string; None for empty; TimeParseError when unreadable."""
    if value is None:
        return None
    zone = ZoneInfo(tz)
    reference = reference or datetime.now(timezone.utc)
    if isinstance(value, bool):
        raise TimeParseError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        return _epoch(float(value), epoch_unit)
    text = str(value).strip().replace("\u3000", " ")
    if not text:
        return None
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return _epoch(float(text), epoch_unit)
    local_ref = reference.astimezone(zone)
    if text == "刚刚":
        return reference.astimezone(timezone.utc).isoformat()
    match = _RELATIVE.match(text)
    if match:
        return (reference - timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])).astimezone(timezone.utc).isoformat()
    match = _DAY_WORD.match(text)
    if match:
        days = {"今天": 0, "昨天": 1, "前天": 2}[match.group(1)]
        day = (local_ref - timedelta(days=days)).date()
        moment = datetime(day.year, day.month, day.day, int(match.group(2)), int(match.group(3)),
                          int(match.group(4) or 0), tzinfo=zone)
        return moment.astimezone(timezone.utc).isoformat()
    match = _MONTH_DAY.match(text)
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        year = local_ref.year if (month, day) <= (local_ref.month, local_ref.day) else local_ref.year - 1
        moment = datetime(year, month, day, int(match.group(3) or 0), int(match.group(4) or 0), int(match.group(5) or 0), tzinfo=zone)
        return moment.astimezone(timezone.utc).isoformat()
    normalized = text.replace("年", "-").replace("月", "-").replace("日", " ").replace("/", "-").strip()
    normalized = re.sub(r"^(\d{4})-(\d{1,2})\.(\d{1,2})", r"\1-\2-\3", normalized)
    normalized = re.sub(r"^(\d{4})-(\d)(?=\D|$)", r"\1-0\2", normalized)
    normalized = re.sub(r"^(\d{4}-\d{2})-(\d)(?=\D|$)", r"\1-0\2", normalized)
    normalized = re.sub(r"\s+(\d):", r" 0\1:", normalized)
    try:
        moment = datetime.fromisoformat(normalized.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError) as error:
            raise TimeParseError(f"unreadable time {value!r}") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(timezone.utc).isoformat()


def _epoch(number: float, unit: str) -> str:
    if unit == "ms" or (unit == "auto" and abs(number) > 1e11):
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, tz=timezone.utc).isoformat()
    except (OverflowError, OSError, ValueError) as error:
        raise TimeParseError(f"epoch out of range: {number!r}") from error
