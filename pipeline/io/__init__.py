"""Reading inputs as validated record batches, and writing outputs and rejects."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..records import RecordError, Reject, validate
from .platforms import read_any
from .readers import detect_encoding, detect_format, read_raw
from .writers import RecordWriter, RejectWriter, rejects_path

__all__ = ["InputStream", "RecordWriter", "RejectWriter", "rejects_path", "detect_format",
           "detect_encoding", "read_any", "read_raw"]


@dataclass
class InputStream:
    """Validated records of one or more files, in batches; rejects go to `on_reject`.

    Counts what it read so a run can print read = written + rejected. Ids are unique
    per (platform, id) across the inputs of one run: a second occurrence is a reject.
    """

    paths: list[Path]
    batch_size: int = 2000
    max_text_chars: int = 10000
    format: str | None = None
    read: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    _seen: set = field(default_factory=set)

    def batches(self, on_reject=None) -> Iterator[list[dict]]:
        batch: list[dict] = []
        for path in self.paths:
            for line, item in read_any(path, self.format):
                self.read += 1
                if isinstance(item, Reject):
                    self._reject(item, on_reject)
                    continue
                raw_line = item.pop("_raw", None)
                try:
                    record = validate(item, self.max_text_chars)
                except RecordError as error:
                    self._reject(Reject(str(path), line, error.field, f"{error.field or 'record'} {error.reason}"
                                        if error.field else error.reason, raw_line or _dump(item)), on_reject)
                    continue
                key = (record.get("platform"), record["id"])
                if key in self._seen:
                    self._reject(Reject(str(path), line, "id", f"duplicate id {record['id']!r}"
                                        f"{' on ' + key[0] if key[0] else ''}", raw_line or _dump(item)), on_reject)
                    continue
                self._seen.add(key)
                record["_source"] = (str(path), line)
                batch.append(record)
                if len(batch) >= self.batch_size:
                    yield batch
                    batch = []
        if batch:
            yield batch

    def _reject(self, reject: Reject, on_reject) -> None:
        self.rejected += 1
        if on_reject is not None:
            on_reject(reject)
        else:
            self.rejects.append(reject)


def _dump(item: dict) -> str:
    import json

    return json.dumps(item, ensure_ascii=False, default=str)
