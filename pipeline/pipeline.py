"""The `Pipeline`: read → normalize → segment → link brand → (classify), over record batches.

The CLI, the batch job and the Python API all drive this one class. Each stage is a
module of its own; this file only composes them and keeps the run's accounting
(read = written + rejected).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .brands import BrandLinker
from .config import load_config
from .io import InputStream, RecordWriter, RejectWriter, rejects_path
from .normalize import Normalizer
from .records import Reject
from .segment import ClauseSplitter, FloodCollapser, collapse_floods, words

#: Fields the pipeline adds internally and never writes out.
_INTERNAL = ("_source",)


@dataclass
class RunCounts:
    read: int = 0
    written: int = 0          # input records accounted for in the output (flood members included)
    rejected: int = 0
    output_rows: int = 0      # lines / rows written (fewer than `written` when floods collapse)

    def balanced(self) -> bool:
        return self.read == self.written + self.rejected

    def summary(self) -> str:
        rows = f" in {self.output_rows} rows" if self.output_rows != self.written else ""
        return f"read {self.read} = written {self.written}{rows} + rejected {self.rejected}"


@dataclass
class Pipeline:
    """Text stages and, when `stage == "score"`, the classifier."""

    config: dict = field(default_factory=load_config)
    stage: str = "score"              # normalize | segment | score
    model: str | None = None          # model directory or hub id (score only)
    with_words: bool = False

    def __post_init__(self):
        self.normalizer = Normalizer(self.config)
        self.splitter = ClauseSplitter(self.config)
        self.collapser = FloodCollapser(self.config)
        self.linker = BrandLinker()
        self._classifier = None

    @property
    def classifier(self):
        if self._classifier is None:
            from .classify import Classifier

            self._classifier = Classifier.load(self.model or self.config["model"]["default"], self.config)
        return self._classifier

    # -- stages over one batch -------------------------------------------------------

    def prepare(self, batch: list[dict], on_reject: Callable[[Reject], None] | None = None) -> list[dict]:
        """normalize (+ segment, brand linking); records that end up with no text are rejected."""
        kept = []
        for record in batch:
            result = self.normalizer(record["text"], record.get("lang"))
            record["text_norm"] = result.text
            record["norm"] = result.as_dict()
            if not result.text.strip() and not result.repost_chain:
                source, line = record.get("_source", ("<api>", 0))
                reason = ("text is only boilerplate/placeholder after normalization"
                          + (f" (removed: {', '.join(result.removed)})" if result.removed else ""))
                if on_reject is None:
                    raise ValueError(f"{source}:{line}: field 'text': {reason}")
                on_reject(Reject(source, line, "text", reason, record["text"]))
                continue
            if self.stage in ("segment", "score"):
                clauses = self.splitter(result.text)
                record["clauses"] = [c.text for c in clauses]
                record["clause_spans"] = [[c.start, c.end] for c in clauses]
                if self.with_words:
                    record["words"] = words(result.text)
            self.linker(record)
            kept.append(record)
        return kept

    def process(self, batch: list[dict], on_reject=None) -> list[dict]:
        """One self-contained batch: prepare, then collapse floods or score."""
        return self._finish(self.prepare(batch, on_reject))

    def _finish(self, prepared: list[dict]) -> list[dict]:
        if self.stage == "normalize":
            return prepared
        if self.stage == "segment":
            return collapse_floods(prepared, self.collapser)
        return self.classifier.score_records(prepared, self.collapser)

    def process_batches(self, batches: Iterable[list[dict]], on_reject=None) -> Iterator[list[dict]]:
        """`process` over consecutive batches of one input, with chat floods kept whole.

        Chat messages whose flood may continue past a batch's end are held back and
        finished with the next batch, so a flood straddling a boundary is still one flood
        (one lead, one count). The last batch holds nothing back.
        """
        held: list[dict] = []
        batches = iter(batches)
        current = next(batches, None)
        while current is not None:
            following = next(batches, None)
            prepared = held + self.prepare(current, on_reject)
            held = []
            if following is not None and self.stage != "normalize":
                prepared, held = self.collapser.hold_open(prepared)
            yield self._finish(prepared)
            current = following

    # -- whole files ------------------------------------------------------------------

    def run_files(self, inputs: Iterable[str | Path], output: str | Path, format: str | None = None,
                  progress: bool = False) -> RunCounts:
        """Read every input, write the output and `<output>.rejects.jsonl`; return the counts."""
        inputs = [Path(p) for p in inputs]
        stream = InputStream(inputs, batch_size=int(self.config["io"]["chunk_rows"]),
                             max_text_chars=int(self.config["io"]["max_text_chars"]))
        counts = RunCounts()
        bar = _progress(inputs) if progress else None
        with RecordWriter(output, format) as writer, RejectWriter(rejects_path(output)) as rejects:
            for rows in self.process_batches(stream.batches(on_reject=rejects.write), on_reject=rejects.write):
                writer.write(_public(r) for r in rows)
                counts.output_rows += len(rows)
                counts.written += sum((r.get("flood") or {}).get("count", 1) if self.stage == "segment" else 1 for r in rows)
                if bar is not None:
                    bar.update(stream.read - bar.n)
            if bar is not None:
                bar.update(stream.read - bar.n)
                bar.close()
            counts.read = stream.read
            counts.rejected = rejects.count
        return counts

    def run_records(self, records: Iterable[dict]) -> Iterator[dict]:
        """The API path: records in, processed records out; invalid ones raise."""
        from .records import validate

        batch = [validate(dict(r)) for r in records]
        yield from (_public(r) for r in self.process(batch))


def _public(record: dict) -> dict:
    for key in _INTERNAL:
        record.pop(key, None)
    return record


def _progress(inputs: list[Path]):
    from tqdm import tqdm

    # Line counts are unknown without reading the file twice; bytes are known.
    return tqdm(unit=" rec", desc="records", dynamic_ncols=True, mininterval=0.5)
