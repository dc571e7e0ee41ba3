import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ugc_trust.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _run(*args):
    """The installed console entry point, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "ugc_trust.cli", *map(str, args)], capture_output=True, text=True)


def test_help_explains_each_command_and_option():
    result = CliRunner().invoke(cli, ["segment", "--help"])
    assert result.exit_code == 0
    for option in ("--output", "--format", "--config", "--words"):
        assert option in result.output


def test_normalize_writes_text_norm_and_accounts_for_every_line(tmp_path):
    out = tmp_path / "norm.jsonl"
    result = _run("normalize", EXAMPLES / "broken.jsonl", "-o", out)
    assert result.returncode == 0, result.stderr
    written = [json.loads(line) for line in out.open(encoding="utf-8")]
    rejects = [json.loads(line) for line in (tmp_path / "norm.jsonl.rejects.jsonl").open(encoding="utf-8")]
    lines = [line for line in (EXAMPLES / "broken.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(written) + len(rejects) == len(lines)
    assert all("text_norm" in r for r in written)
    assert all({"source", "line", "field", "reason", "raw"} <= set(r) for r in rejects)
    assert f"read {len(lines)} = written {len(written)} + rejected {len(rejects)}" in result.stderr


def test_segment_collapses_chat_floods_without_losing_messages(tmp_path):
    source = EXAMPLES / "livestream_chat.jsonl"
    out = tmp_path / "seg.jsonl"
    result = _run("segment", source, "-o", out)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.open(encoding="utf-8")]
    floods = [r for r in rows if r.get("flood")]
    assert floods, "the example room has floods"
    ids = [i for r in rows for i in (r["flood"]["member_ids"] if r.get("flood") else [r["id"]])]
    inputs = [json.loads(line)["id"] for line in source.open(encoding="utf-8") if line.strip()]
    assert sorted(ids) == sorted(inputs)
    assert all("clauses" in r and "words" in r for r in rows)


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_output_formats(tmp_path, suffix):
    out = tmp_path / f"norm.{suffix}"
    result = _run("normalize", EXAMPLES / "reviews.jsonl", "-o", out)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0


def test_clear_one_line_errors(tmp_path):
    missing = _run("normalize", tmp_path / "missing.jsonl", "-o", tmp_path / "o.jsonl")
    assert missing.returncode == 1 and "no such file" in missing.stderr and "Traceback" not in missing.stderr
    (tmp_path / "data.xml").write_text("<a/>")
    unknown = _run("normalize", tmp_path / "data.xml", "-o", tmp_path / "o.jsonl")
    assert unknown.returncode == 1 and "unknown format" in unknown.stderr and "Traceback" not in unknown.stderr
    blocked = tmp_path / "file"
    blocked.write_text("")
    unwritable = _run("normalize", EXAMPLES / "reviews.jsonl", "-o", blocked / "o.jsonl")
    assert unwritable.returncode == 1 and "cannot write" in unwritable.stderr and "Traceback" not in unwritable.stderr
