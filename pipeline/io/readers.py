"""Streaming readers for JSONL, CSV and Parquet inputs, plain or gzip-compressed.

A reader yields `(line_number, raw_record)` or `(line_number, Reject)` one record at
a time and never holds the whole file. Text encodings are detected from a sample:
BOMs (UTF-8, UTF-16), else UTF-8, else GB18030 (a superset of GBK and GB2312).
A line that does not decode is a reject, not a crash.
"""
from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import sys
from pathlib import Path
from typing import IO, Iterator, Union

from ..errors import InputError
from ..records import Reject

Item = tuple[int, Union[dict, Reject]]

FORMATS = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".csv": "csv", ".tsv": "tsv",
    ".parquet": "parquet", ".pq": "parquet",
}
SAMPLE_BYTES = 1 << 16
csv.field_size_limit(min(sys.maxsize, 1 << 31 - 1))


def detect_format(path: str | Path) -> str:
    path = Path(path)
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in FORMATS:
        return FORMATS[suffixes[-1]]
    raise InputError(f"{path}: unknown format {''.join(path.suffixes) or '(no suffix)'}; "
                     f"expected .jsonl, .csv, .tsv or .parquet (optionally .gz)")


def _open_binary(path: Path) -> IO[bytes]:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    try:
        return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else path.open("rb")
    except OSError as error:
        raise InputError(f"{path}: cannot open ({error.strerror or error})") from error


def detect_encoding(sample: bytes) -> str:
    """The encoding of a byte sample: BOM first, then UTF-8, then GB18030."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-16 without BOM: every other byte of ASCII-heavy text is NUL.
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        return "utf-16-be"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if error.start >= len(sample) - 3 and error.reason == "unexpected end of data":
            return "utf-8"
    bad_utf8 = _undecodable_share(sample, "utf-8")
    bad_gb = _undecodable_share(sample, "gb18030")
    return "gb18030" if bad_gb < bad_utf8 else "utf-8"


def _undecodable_share(sample: bytes, encoding: str) -> float:
    lines = sample.split(b"\n")[:-1] or [sample]
    bad = 0
    for line in lines:
        try:
            line.decode(encoding)
        except UnicodeDecodeError:
            bad += 1
    return bad / len(lines)


def _sniff(handle: IO[bytes]) -> tuple[str, bytes]:
    sample = handle.read(SAMPLE_BYTES)
    return detect_encoding(sample), sample


def _byte_lines(handle: IO[bytes], head: bytes) -> Iterator[bytes]:
    stream = io.BufferedReader(_Prepend(head, handle)) if head else handle
    yield from stream


class _Prepend(io.RawIOBase):
    """A raw stream that replays bytes already read for sniffing, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def read_jsonl(path: Path) -> Iterator[Item]:
    source = str(path)
    with _open_binary(path) as handle:
        encoding, head = _sniff(handle)
        if encoding.startswith("utf-16"):
            yield from _read_jsonl_text(source, io.TextIOWrapper(_Prepend(head, handle), encoding=encoding, errors="replace", newline=None))
            return
        line_encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        for number, raw in enumerate(_byte_lines(handle, head), 1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                line = raw.decode(line_encoding)
            except UnicodeDecodeError as error:
                yield number, Reject(source, number, None, f"undecodable bytes ({line_encoding}: {error.reason} at byte {error.start})",
                                     raw.decode(line_encoding, errors="replace").rstrip("\r\n"))
                continue
            item = _parse_json_line(source, number, line)
            if item is not None:
                yield number, item


def _read_jsonl_text(source: str, lines) -> Iterator[Item]:
    for number, line in enumerate(lines, 1):
        if "\ufffd" in line:
            yield number, Reject(source, number, None, "undecodable bytes (utf-16)", line.rstrip("\r\n"))
            continue
        item = _parse_json_line(source, number, line)
        if item is not None:
            yield number, item


def _parse_json_line(source: str, number: int, line: str) -> dict | Reject | None:
    stripped = line.strip()
    if not stripped:
        return None  # blank lines are not records
    try:
        value = json.loads(stripped)
    except json.JSONDecodeError as error:
        return Reject(source, number, None, f"broken JSON: {error.msg} at column {error.colno}", stripped)
    except RecursionError:
        return Reject(source, number, None, "broken JSON: nested too deeply", stripped[:2000])
    if not isinstance(value, dict):
        return Reject(source, number, None, f"a line must hold a JSON object, got {type(value).__name__}", stripped)
    value["_raw"] = stripped
    return value


def read_csv(path: Path, delimiter: str = ",") -> Iterator[Item]:
    source = str(path)
    with _open_binary(path) as handle:
        encoding, head = _sniff(handle)
        # surrogateescape keeps undecodable bytes visible so the record can be rejected,
        # instead of failing the whole file.
        errors = "replace" if encoding.startswith("utf-16") else "surrogateescape"
        text = io.TextIOWrapper(_Prepend(head, handle), encoding=encoding, errors=errors, newline="")
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InputError(f"{source}:1: unreadable CSV header ({error})") from error
        header = [h.strip().lstrip("\ufeff") for h in header]
        previous_end = reader.line_num
        while True:
            start = previous_end + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                previous_end = reader.line_num
                yield start, Reject(source, start, None, f"broken CSV row: {error}", "")
                continue
            previous_end = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            raw_line = delimiter.join(row)
            if any(_has_surrogate(cell) for cell in row) or (errors == "replace" and "\ufffd" in raw_line):
                yield start, Reject(source, start, None, f"undecodable bytes (not {encoding})",
                                    raw_line.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
                continue
            if len(row) != len(header):
                yield start, Reject(source, start, None,
                                    f"row has {len(row)} fields, header has {len(header)}", raw_line)
                continue
            record = {name: (cell if cell != "" else None) for name, cell in zip(header, row)}
            record["_raw"] = raw_line
            yield start, record


def _has_surrogate(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def read_parquet(path: Path, batch_rows: int = 2000) -> Iterator[Item]:
    import pyarrow.parquet as pq

    source = str(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        handle = gzip.open(path, "rb") if path.suffix.lower() == ".gz" else path.open("rb")
        parquet = pq.ParquetFile(handle)
    except Exception as error:  # pyarrow raises several types for a bad file
        raise InputError(f"{source}: not a readable Parquet file ({error})") from error
    number = 0
    with handle:
        for batch in parquet.iter_batches(batch_size=batch_rows):
            for row in batch.to_pylist():
                number += 1
                row["_raw"] = None
                yield number, row


def read_raw(path: str | Path, format: str | None = None, delimiter: str | None = None) -> Iterator[Item]:
    """Every raw record of a file with its line (row) number, or a Reject for what cannot be parsed."""
    path = Path(path)
    format = format or detect_format(path)
    # Fail now, with the file's name, rather than at the first next() of a generator.
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    if format == "jsonl":
        return read_jsonl(path)
    if format in ("csv", "tsv"):
        return read_csv(path, delimiter or ("\t" if format == "tsv" else ","))
    if format == "parquet":
        return read_parquet(path)
    raise InputError(f"{path}: unknown format {format!r}")
