"""The committed default model: offline loading, the taxonomy's examples, determinism, accounting."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import ugc_trust
from ugc_trust.classify import Classifier

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# The example table of ../shared/spec/trust-taxonomy.md (written for the guide).
TAXONOMY_EXAMPLES = [
    ("用了一个月，质量没得说，已经回购第三次了", "pos", "absent", "absent", "pos"),
    ("和详情页描述的完全不一样，图片严重美颜", "absent", "neg", "absent", "neg"),
    ("客服秒回，退货很顺利，给五星", "absent", "absent", "pos", "pos"),
    ("东西不错，但快递三天都没更新，问客服也不回", "pos", "absent", "neg", "neg"),
    ("看小红书博主推荐买的，确实没骗人", "pos", "pos", "absent", "pos"),
    ("好评全是刷的吧，实物做工粗糙", "neg", "neg", "absent", "neg"),
    ("这个牌子是正品吗？", "neu", "absent", "absent", "neu"),
    ("主播怎么不回答问题，只会喊上链接", "absent", "absent", "neg", "neg"),
    ("说好的赠品没有给，虚假宣传", "absent", "neg", "absent", "neg"),
    ("哈哈哈哈哈哈", "absent", "absent", "absent", "pos"),
    ("已下单，等收货", "absent", "absent", "absent", "neu"),
    ("價格實惠，包裝也很用心，物流超快", "pos", "absent", "pos", "pos"),
]


def test_default_model_loads_offline_from_the_repository():
    code = ("import ugc_trust; r = ugc_trust.score(['质量很好']); "
            "assert set(r[0]['trust']) == {'brand', 'content', 'interaction'}; print('ok')")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_HOME="/nonexistent-hf-home")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd="/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


def _taxonomy_rows_right() -> tuple[int, list]:
    rows = ugc_trust.score([text for text, *_ in TAXONOMY_EXAMPLES])
    right, wrong = 0, []
    for row, (text, brand, content, interaction, sentiment) in zip(rows, TAXONOMY_EXAMPLES):
        got = (row["trust"]["brand"], row["trust"]["content"], row["trust"]["interaction"], row["sentiment"])
        if got == (brand, content, interaction, sentiment):
            right += 1
        else:
            wrong.append((text, got))
    return right, wrong


def test_taxonomy_examples_at_least_9_of_12_fully_right():
    # A regression floor. The committed model (n-gram channel on label rounds 1-11) gets 9 of 12; misses:
    # 小红书博主…没骗人 → brand absent, sentiment neu;
    # 好评全是刷的 → brand absent (content-neg posts are mostly brand absent in the labels);
    # 主播怎么不回答问题 → sentiment neu (the question form; interaction neg is right).
    right, wrong = _taxonomy_rows_right()
    assert right >= 9, f"{right}/12 right; wrong: {wrong}"


@pytest.mark.xfail(strict=True, reason="issue 5 asks for 10 of 12; the committed model gets 9 (see the test above)")
def test_taxonomy_examples_at_least_10_of_12_fully_right():
    right, wrong = _taxonomy_rows_right()
    assert right >= 10, f"{right}/12 right; wrong: {wrong}"


def test_probabilities_are_distributions_and_score_matches_them():
    [row] = ugc_trust.score(["质量很好，但是客服爱答不理"])
    for dimension, probs in row["trust_probs"].items():
        assert sum(probs.values()) == pytest.approx(1.0, abs=1e-3)
        assert row["trust"][dimension] == max(probs, key=probs.get)
    sentiment = row["sentiment_probs"]
    assert row["sentiment_score"] == pytest.approx(sentiment["pos"] - sentiment["neg"], abs=1e-3)
    assert -1.0 <= row["sentiment_score"] <= 1.0


def test_outputs_identical_across_two_runs(tmp_path):
    outputs = []
    for run in range(2):
        out = tmp_path / f"run{run}.jsonl"
        result = subprocess.run([sys.executable, "-m", "ugc_trust.cli", "score", str(EXAMPLES / "reviews.jsonl"),
                                 str(EXAMPLES / "livestream_chat.jsonl"), "-o", str(out)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_score_on_a_file_with_broken_lines_accounts_for_every_line(tmp_path):
    out = tmp_path / "scored.jsonl"
    result = subprocess.run([sys.executable, "-m", "ugc_trust.cli", "score", str(EXAMPLES / "broken.jsonl"), "-o", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = [l for l in (EXAMPLES / "broken.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    scored = [json.loads(l) for l in out.open(encoding="utf-8")]
    rejects = [json.loads(l) for l in (tmp_path / "scored.jsonl.rejects.jsonl").open(encoding="utf-8")]
    assert len(scored) + len(rejects) == len(lines)
    assert all(r["source"].endswith("broken.jsonl") and r["line"] >= 1 and r["reason"] for r in rejects)
    assert f"read {len(lines)} = written {len(scored)} + rejected {len(rejects)}" in result.stderr


def test_output_record_has_the_architecture_fields():
    [row] = ugc_trust.score([{"id": "x1", "text": "華為手機很好用，客服也很耐心", "platform": "jd",
                              "created_at": "2026-03-01T10:00:00+08:00"}])
    for field in ("id", "platform", "brand", "created_at", "trust", "trust_probs", "sentiment", "sentiment_score",
                  "text_norm", "clauses", "flood"):
        assert field in row
    assert row["brand"] == "华为"
    assert row["text_norm"].startswith("华为手机")


def test_score_dataframe(tiny_model):
    frame = pd.DataFrame({"text": ["好用", "太差了"], "platform": ["jd", "jd"]})
    out = ugc_trust.score(frame, model=str(tiny_model))
    assert isinstance(out, pd.DataFrame) and len(out) == 2 and "sentiment_score" in out.columns


def test_flood_members_share_one_classification(tiny_model):
    classifier = Classifier.load(str(tiny_model))
    from ugc_trust.pipeline import Pipeline

    pipeline = Pipeline(stage="score", model=str(tiny_model))
    pipeline._classifier = classifier
    records = [{"id": f"m{i}", "text": "666", "kind": "live_chat", "room_id": "r", "platform": "douyin",
                "created_at": f"2026-03-01T10:00:0{i}+08:00"} for i in range(4)]
    rows = list(pipeline.run_records(records))
    assert [r["id"] for r in rows] == ["m0", "m1", "m2", "m3"]
    assert [r["flood"]["lead"] for r in rows] == [True, False, False, False]
    assert all(r["flood"]["count"] == 4 and r["trust_probs"] == rows[0]["trust_probs"] for r in rows)


def test_missing_model_is_a_clear_error(tmp_path):
    from ugc_trust.errors import ModelError

    with pytest.raises(ModelError):
        Classifier.load(str(tmp_path / "no-model"))


def test_a_scored_flood_straddling_batches_has_one_lead(tiny_model, tmp_path):
    import json

    from ugc_trust.config import load_config
    from ugc_trust.pipeline import Pipeline

    texts = ["这件外套是什么面料"] * 1 + [f"第{i}个问题：尺码偏大吗" for i in range(5)] + ["666"] * 6 + ["主播换一件"]
    records = [{"id": f"m{i}", "text": t, "kind": "live_chat", "room_id": "r", "platform": "douyin",
                "created_at": f"2026-03-01T10:00:{i:02d}+08:00"} for i, t in enumerate(texts)]
    source = tmp_path / "room.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    config = load_config()
    config["io"]["chunk_rows"] = 8   # the 666 flood (m6–m11) crosses the first boundary
    pipeline = Pipeline(config=config, stage="score", model=str(tiny_model))
    counts = pipeline.run_files([source], tmp_path / "out.jsonl")
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").open(encoding="utf-8")]
    assert counts.read == counts.written == len(records) == len(rows)
    flood = [r for r in rows if r.get("flood")]
    assert sorted(r["id"] for r in flood) == sorted(f"m{i}" for i in range(6, 12))
    assert [r["id"] for r in flood if r["flood"]["lead"]] == ["m6"]
    assert all(r["flood"]["count"] == 6 and r["flood"]["id"] == "m6" for r in flood)
