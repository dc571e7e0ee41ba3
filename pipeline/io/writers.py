"""Writers for scored/normalized records (JSONL, CSV, Parquet) and for rejects.

Each writer streams: records arrive in batches and leave for disk at once
(Parquet one row group a batch). Nested values (dicts, lists) are kept as JSON in
JSONL and written as JSON strings in the flat formats.
"""
from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Iterable

from ..errors import OutputError
from .readers import detect_format


def _open_text(path: Path, newline: str | None = None):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".gz":
            return gzip.open(path, "wt", encoding="utf-8", newline=newline)
        return path.open("w", encoding="utf-8", newline=newline)
    except OSError as error:
        raise OutputError(f"{path}: cannot write ({error.strerror or error})") from error


def _flat(value):
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return value


class RecordWriter:
    """Writes records to `path` in the format its suffix names; use as a context manager."""

    def __init__(self, path: str | Path, format: str | None = None, columns: list[str] | None = None):
        self.path = Path(path)
        self.format = format or detect_format(self.path)
        self.columns = columns
        self.count = 0
        self._handle = None
        self._csv = None
        self._parquet = None
        if self.format in ("jsonl", "csv", "tsv"):
            self._handle = _open_text(self.path, newline="" if self.format != "jsonl" else None)
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.touch()
            except OSError as error:
                raise OutputError(f"{self.path}: cannot write ({error.strerror or error})") from error

    def write(self, records: Iterable[dict]) -> None:
        records = list(records)
        if not records:
            return
        try:
            if self.format == "jsonl":
                self._handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            elif self.format in ("csv", "tsv"):
                self._write_csv(records)
            else:
                self._write_parquet(records)
        except OSError as error:
            raise OutputError(f"{self.path}: write failed ({error.strerror or error})") from error
        self.count += len(records)

    def _write_csv(self, records: list[dict]) -> None:
        if self._csv is None:
            self.columns = self.columns or list(records[0].keys())
            self._csv = csv.DictWriter(self._handle, fieldnames=self.columns, extrasaction="ignore",
                                       delimiter="\t" if self.format == "tsv" else ",")
            self._csv.writeheader()
        self._csv.writerows({k: _flat(r.get(k)) for k in self.columns} for r in records)

    def _write_parquet(self, records: list[dict]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.columns is None:
            self.columns = list(records[0].keys())
        table = pa.table({k: [_flat(r.get(k)) for r in records] for k in self.columns})
        if self._parquet is None:
            self._schema = pa.schema([(f.name, pa.string() if pa.types.is_null(f.type) else f.type) for f in table.schema])
            self._parquet = pq.ParquetWriter(self.path, self._schema)
        self._parquet.write_table(table.cast(self._schema, safe=False))

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        if self._parquet is not None:
            self._parquet.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class RejectWriter:
    """`<out>.rejects.jsonl`: one JSON object per rejected input record. Created on first reject."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.count = 0
        self._handle = None

    def write(self, reject) -> None:
        if self._handle is None:
            self._handle = _open_text(self.path)
        self._handle.write(json.dumps(reject.as_dict(), ensure_ascii=False) + "\n")
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def rejects_path(out: str | Path) -> Path:
    """`out.jsonl` → `out.jsonl.rejects.jsonl` — beside the output, never overwriting it."""
    out = Path(out)
    return out.with_name(out.name + ".rejects.jsonl")
