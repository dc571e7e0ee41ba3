"""The scheduled batch: an inbox of crawler exports → store → indices → alerts → report.

Unattended, so it never loses, duplicates or half-writes anything:
- one run at a time: an exclusive lock beside the database (`<db>.lock`); a second run
  waits (`wait: true`) or exits with a clear message;
- a file is processed when its content hash is new; all its posts are upserted by
  (platform, id) and the file is marked done in *one* DuckDB transaction, so a run
  killed at any point either committed a file completely or not at all, and the next
  run redoes what was not committed;
- indices and alerts are recomputed for the brands a run touched; new alerts are
  appended to the alerts JSONL and POSTed to an optional webhook (retries, timeout);
- the report is written to a temporary file and renamed into place;
- every run leaves a row in `runs` (files, read, written, rejected, alerts, duration,
  status, error); a failure (full disk, unwritable DB) marks the run failed, loudly.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

from .config import load_config
from .errors import UgcTrustError
from .io import InputStream, RejectWriter
from .io.platforms import detect
from .io.readers import FORMATS
from .store import TrustStore, flatten, posts_frame

BATCH_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path VARCHAR, sha256 VARCHAR, size BIGINT, adapter VARCHAR, read INTEGER, written INTEGER,
    rejected INTEGER, run_id VARCHAR, processed_at TIMESTAMPTZ, PRIMARY KEY (path, sha256)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, status VARCHAR,
    files INTEGER, read INTEGER, written INTEGER, rejected INTEGER, alerts INTEGER, duration_s DOUBLE, error VARCHAR
);
"""


class BatchLocked(UgcTrustError):
    """Another batch run holds the lock."""


@dataclass
class BatchSettings:
    inbox: Path
    db: Path
    output_dir: Path
    period: str = "week"
    model: str | None = None
    wait: bool = False
    webhook_url: str | None = None
    webhook_timeout_s: float = 10.0
    webhook_retries: int = 3
    config: dict = field(default_factory=load_config)

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, **overrides) -> "BatchSettings":
        data = {}
        if path:
            with open(path, encoding="utf-8") as handle:
                data = yaml.safe_load(handle) or {}
        data.update({k: v for k, v in overrides.items() if v is not None})
        webhook = data.get("webhook") or {}
        # Relative paths are taken from the working directory, as cron and systemd set it.
        return cls(inbox=Path(data.get("inbox", "inbox")).absolute(), db=Path(data.get("db", "trust.duckdb")).absolute(),
                   output_dir=Path(data.get("output_dir", "out/batch")).absolute(), period=data.get("period", "week"),
                   model=data.get("model"), wait=bool(data.get("wait", False)), webhook_url=webhook.get("url"),
                   webhook_timeout_s=float(webhook.get("timeout_s", 10)), webhook_retries=int(webhook.get("retries", 3)),
                   config=load_config(data.get("config")))


def _crash_point(name: str) -> None:
    """Fault injection for the kill tests: UGC_TRUST_CRASH_AT=<name> ends the process there, like kill -9."""
    if os.environ.get("UGC_TRUST_CRASH_AT") == name:
        os._exit(137)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _readable(path: Path) -> bool:
    if detect(path) is not None:
        return True
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return bool(suffixes) and suffixes[-1] in FORMATS


class Lock:
    def __init__(self, db: Path, wait: bool):
        self.path = db.with_name(db.name + ".lock")
        self.wait = wait
        self.handle = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EACCES):
                self.handle.seek(0)
                holder = self.handle.read().strip() or "another process"
                self.handle.close()
                raise BatchLocked(f"another batch run is in progress ({holder}; lock {self.path}); "
                                  f"exiting without touching the database") from error
            raise
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"pid {os.getpid()} since {datetime.now(timezone.utc).isoformat(timespec='seconds')}")
        self.handle.flush()
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def run_once(settings: BatchSettings, log=print) -> dict:
    """One batch run; returns its run row. Raises BatchLocked when another run is active."""
    with Lock(settings.db, settings.wait):
        return _run(settings, log)


def _run(settings: BatchSettings, log) -> dict:
    from .aggregate import aggregate_posts
    from .alerts import find_alerts
    from .pipeline import Pipeline

    started = time.time()
    run = {"run_id": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6],
           "started_at": datetime.now(timezone.utc), "status": "running", "files": 0, "read": 0, "written": 0,
           "rejected": 0, "alerts": 0, "error": None}
    store = TrustStore(settings.db)
    store.connection.execute(BATCH_SCHEMA)
    _write_run(store, run)
    try:
        if not settings.inbox.is_dir():
            raise UgcTrustError(f"{settings.inbox}: inbox folder not found")
        settings.output_dir.mkdir(parents=True, exist_ok=True)
        pipeline = Pipeline(config=settings.config, stage="score", model=settings.model)
        touched_brands: set[str] = set()
        rejects_path = settings.output_dir / "rejects" / f"{run['run_id']}.jsonl"
        with RejectWriter(rejects_path) as rejects:
            for path in sorted(p for p in settings.inbox.rglob("*") if p.is_file()):
                if path.name.startswith(".") or not _readable(path):
                    continue
                digest = file_hash(path)
                done = store.connection.execute("SELECT 1 FROM files WHERE path = ? AND sha256 = ?",
                                                [str(path), digest]).fetchall()
                if done:
                    continue
                counts, brands = _process_file(store, pipeline, path, digest, run["run_id"], rejects, settings, log)
                run["files"] += 1
                run["read"] += counts["read"]
                run["written"] += counts["written"]
                run["rejected"] += counts["rejected"]
                touched_brands |= brands
                _write_run(store, run)
        if touched_brands:
            posts = store.posts(sorted(touched_brands))
            indices = aggregate_posts(posts, settings.period, config=settings.config)
            alerts = find_alerts(posts, settings.period, config=settings.config, indices=indices)
            previous = store.table("alerts")
            store.replace_table("indices", indices)
            store.replace_table("alerts", alerts)
            new = _new_alerts(alerts, previous)
            run["alerts"] = len(new)
            if len(new):
                _publish(new, settings, log)
            _crash_point("before_report")
            _refresh_report(store, settings)
        run["status"] = "ok"
    except Exception as error:  # a failed run is recorded, then reported loudly
        run["status"] = "failed"
        run["error"] = f"{type(error).__name__}: {error}"
        try:
            _write_run(store, run, started)
        finally:
            store.close()
        raise
    _write_run(store, run, started)
    store.close()
    log(f"batch {run['run_id']}: {run['files']} new files, read {run['read']} = written {run['written']} + "
        f"rejected {run['rejected']}, {run['alerts']} new alerts ({time.time() - started:.1f} s)")
    return run


def _process_file(store: TrustStore, pipeline, path: Path, digest: str, run_id: str, rejects: RejectWriter,
                  settings: BatchSettings, log) -> tuple[dict, set[str]]:
    """Score one file and commit its posts and its `files` row together."""
    stream = InputStream([path], batch_size=int(settings.config["io"]["chunk_rows"]),
                         max_text_chars=int(settings.config["io"]["max_text_chars"]))
    file_rejects = []
    written = 0
    brands: set[str] = set()
    connection = store.connection
    connection.execute("BEGIN TRANSACTION")
    try:
        for rows in pipeline.process_batches(stream.batches(on_reject=file_rejects.append),
                                             on_reject=file_rejects.append):
            store.upsert_posts(posts_frame([flatten(r) for r in rows]))
            written += len(rows)
            brands |= {b for r in rows for b in (r.get("brands") or ([r["brand"]] if r.get("brand") else []))}
            _crash_point("mid_file")
        adapter = detect(path)
        connection.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)",
            [str(path), digest, path.stat().st_size, adapter.name if adapter else "plain", stream.read, written,
             len(file_rejects), run_id])
        _crash_point("before_commit")
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise
    _crash_point("after_commit")
    for reject in file_rejects:
        rejects.write(reject)
        if "quarantined" in reject.reason:
            _quarantine(settings.output_dir, path, reject)
    log(f"  {path}: read {stream.read} = written {written} + rejected {len(file_rejects)}")
    return {"read": stream.read, "written": written, "rejected": len(file_rejects)}, brands


def _quarantine(output_dir: Path, path: Path, reject) -> None:
    folder = output_dir / "quarantine"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.name}.from-line-{reject.line}"
    target.write_text(reject.raw, encoding="utf-8")
    target.with_name(target.name + ".reason.txt").write_text(f"{reject.source}:{reject.line}: {reject.reason}\n",
                                                            encoding="utf-8")


def _write_run(store: TrustStore, run: dict, started: float | None = None) -> None:
    if started is not None:
        run["finished_at"] = datetime.now(timezone.utc)
        run["duration_s"] = time.time() - started
    store.connection.execute(
        "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run["run_id"], run["started_at"], run.get("finished_at"), run["status"], run["files"], run["read"],
         run["written"], run["rejected"], run["alerts"], run.get("duration_s"), run.get("error")])


def _new_alerts(alerts, previous):
    if not len(alerts):
        return alerts
    if not len(previous):
        return alerts
    keys = {(r["brand"], r["platform"], r["dimension"], str(r["period_start"])) for r in previous.to_dict("records")}
    mask = [(r["brand"], r["platform"], r["dimension"], str(r["period_start"])) not in keys for r in alerts.to_dict("records")]
    return alerts[mask]


def _publish(alerts, settings: BatchSettings, log) -> None:
    path = settings.output_dir / "alerts.jsonl"
    records = json.loads(alerts.to_json(orient="records", date_format="iso", force_ascii=False))
    for record in records:
        record["evidence"] = json.loads(record["evidence"]) if isinstance(record.get("evidence"), str) else record.get("evidence")
    with path.open("a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    if settings.webhook_url:
        post_webhook(settings.webhook_url, {"alerts": records}, settings.webhook_timeout_s, settings.webhook_retries, log)


def post_webhook(url: str, payload: dict, timeout: float, retries: int, log=print) -> bool:
    """POST JSON with retries and exponential back-off; True on a 2xx answer."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    for attempt in range(1, retries + 1):
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return True
                problem = f"HTTP {response.status}"
        except Exception as error:  # connection refused, timeout, HTTP error
            problem = str(error)
        log(f"webhook attempt {attempt}/{retries} failed: {problem}")
        if attempt < retries:
            time.sleep(min(30.0, 0.5 * 2 ** (attempt - 1)))
    return False


def _refresh_report(store: TrustStore, settings: BatchSettings) -> None:
    from .aggregate import aggregate_posts
    from .alerts import find_alerts
    from .report import write_report

    posts = store.posts()
    indices = aggregate_posts(posts, settings.period, config=settings.config)
    alerts = find_alerts(posts, settings.period, config=settings.config, indices=indices)
    final = settings.output_dir / "report.html"
    temporary = settings.output_dir / ".report.html.tmp"
    write_report(indices, alerts, temporary, settings.output_dir / "charts")
    os.replace(temporary, final)


def parse_every(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    if not text or text[-1] not in units:
        raise UgcTrustError(f"--every {text!r}: use a number with s, m, h or d (e.g. 1h)")
    return float(text[:-1]) * units[text[-1]]
