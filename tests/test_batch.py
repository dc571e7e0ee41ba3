import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from ugc_trust.batch import BatchLocked, BatchSettings, Lock, post_webhook, run_once
from ugc_trust.store import TrustStore

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture()
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    shutil.copytree(FIXTURES, folder)
    shutil.copy(ROOT / "examples" / "reviews.jsonl", folder / "reviews.jsonl")
    (folder / "notes.txt").write_text("not an export", encoding="utf-8")
    return folder


def _batch(inbox, db, model, crash_at=None, cwd=None):
    env = dict(os.environ)
    if crash_at:
        env["UGC_TRUST_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "ugc_trust.cli", "batch", "--config", str(db.parent / "none.yaml"),
                           "--inbox", str(inbox), "--db", str(db), "--model", str(model)],
                          capture_output=True, text=True, env=env, cwd=cwd or db.parent)


def _snapshot(db):
    with TrustStore(db) as store:
        posts = store.connection.execute(
            "SELECT platform, id, trust_brand, trust_content, trust_interaction, sentiment, round(p_brand_pos, 4) "
            "FROM posts ORDER BY platform, id").fetchall()
        files = store.connection.execute("SELECT path, sha256, read, written, rejected FROM files ORDER BY path").fetchall()
        indices = store.connection.execute(
            'SELECT brand, dimension, period_start, round("index", 6), round(volume, 6) FROM indices '
            "ORDER BY brand, dimension, period_start").fetchall()
    return posts, [(Path(p).name, *rest) for p, *rest in files], indices


def test_end_to_end_batch_over_a_mixed_inbox(tmp_path, inbox, tiny_model):
    db = tmp_path / "trust.duckdb"
    result = _batch(inbox, db, tiny_model)
    assert result.returncode == 0, result.stderr
    posts, files, indices = _snapshot(db)
    assert len(files) == 13  # every export in the inbox; notes.txt is not one
    assert {p[0] for p in posts} >= {"xiaohongshu", "douyin", "weibo", "bilibili", "kuaishou", "jd", "taobao"}
    assert indices
    with TrustStore(db) as store:
        run = store.connection.execute("SELECT status, files, read, written, rejected FROM runs").fetchall()
    assert run[0][0] == "ok" and run[0][2] == run[0][3] + run[0][4]
    out = tmp_path / "out" / "batch"
    assert (out / "report.html").exists()
    rejects = [json.loads(l) for l in next((out / "rejects").glob("*.jsonl")).open(encoding="utf-8")]
    assert all(r["source"] and r["line"] >= 1 for r in rejects)
    assert list((out / "quarantine").glob("*.reason.txt"))
    # a second run finds nothing new and changes nothing
    again = _batch(inbox, db, tiny_model)
    assert again.returncode == 0 and "0 new files" in again.stderr
    assert _snapshot(db) == (posts, files, indices)


@pytest.mark.parametrize("crash_at", ["mid_file", "before_commit", "after_commit", "before_report"])
def test_a_killed_run_restarted_equals_a_clean_run(tmp_path, inbox, tiny_model, crash_at):
    clean_db = tmp_path / "clean" / "trust.duckdb"
    clean_db.parent.mkdir()
    assert _batch(inbox, clean_db, tiny_model).returncode == 0
    db = tmp_path / "killed" / "trust.duckdb"
    db.parent.mkdir()
    killed = _batch(inbox, db, tiny_model, crash_at=crash_at)
    assert killed.returncode == 137
    restarted = _batch(inbox, db, tiny_model)
    assert restarted.returncode == 0, restarted.stderr
    assert _snapshot(db) == _snapshot(clean_db)


def test_a_second_concurrent_run_exits_with_a_clear_message(tmp_path, inbox, tiny_model):
    db = tmp_path / "trust.duckdb"
    with Lock(db, wait=False):
        result = _batch(inbox, db, tiny_model)
    assert result.returncode == 1
    assert "another batch run is in progress" in result.stderr and "Traceback" not in result.stderr
    assert not db.exists() or _snapshot(db)[0] == []


def test_lock_is_exclusive_in_process(tmp_path):
    db = tmp_path / "trust.duckdb"
    with Lock(db, wait=False):
        with pytest.raises(BatchLocked):
            with Lock(db, wait=False):
                pass


def test_unwritable_database_fails_loudly(tmp_path, inbox, tiny_model):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    result = _batch(inbox, blocked / "trust.duckdb", tiny_model, cwd=tmp_path)
    assert result.returncode == 1 and "error" in result.stderr.lower()


class _Hook(BaseHTTPRequestHandler):
    received: list = []
    failures_left = 1

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if _Hook.failures_left > 0:
            _Hook.failures_left -= 1
            self.send_response(503)
            self.end_headers()
            return
        _Hook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_posts_alerts_with_retries_to_a_local_server():
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        assert post_webhook(url, {"alerts": [{"brand": "完美日记", "drop": 0.4}]}, timeout=5, retries=3, log=lambda m: None)
        assert _Hook.received == [{"alerts": [{"brand": "完美日记", "drop": 0.4}]}]
    finally:
        server.shutdown()


def test_webhook_gives_up_after_retries():
    assert not post_webhook("http://127.0.0.1:9/nothing", {"alerts": []}, timeout=1, retries=2, log=lambda m: None)


def test_settings_from_yaml_with_overrides(tmp_path):
    path = tmp_path / "batch.yaml"
    path.write_text("inbox: /data/inbox\ndb: /data/trust.duckdb\nperiod: day\nwebhook: {url: http://x, retries: 5}\n")
    settings = BatchSettings.load(path, db=str(tmp_path / "other.duckdb"))
    assert settings.inbox == Path("/data/inbox") and settings.db == tmp_path / "other.duckdb"
    assert settings.period == "day" and settings.webhook_retries == 5
