"""MLM pretraining plumbing: whole-word masking, packing, resumable training, init-from."""
import json
from pathlib import Path

import numpy as np
import pytest
from transformers import AutoTokenizer

from ugc_trust.model import mlm

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "models" / "ugc-trust-zh-small"

INFO = {"mask_id": 4, "pad_id": 0, "vocab_size": 50, "first_normal_id": 5}


def test_whole_word_masking_masks_every_token_of_a_chosen_word_and_nothing_outside_words():
    ids = np.arange(10, 10 + 64).reshape(2, 32)
    wid = np.tile(np.concatenate([[-1], np.repeat(np.arange(15), 2), [-1]]), (2, 1))  # 2-token words
    for seed in range(20):
        _, labels = mlm.whole_word_mask(ids, wid, INFO, np.random.default_rng(seed), probability=0.3)
        chosen = labels != -100
        assert not chosen[wid < 0].any()
        pairs = chosen[:, 1:31].reshape(2, 15, 2)
        assert (pairs[..., 0] == pairs[..., 1]).all()  # both characters of a word, or neither


def test_token_share_masks_single_tokens():
    ids = np.arange(10, 10 + 32 * 40).reshape(40, 32)
    wid = np.tile(np.concatenate([[-1], np.repeat(np.arange(15), 2), [-1]]), (40, 1))
    _, labels = mlm.whole_word_mask(ids, wid, INFO, np.random.default_rng(0), probability=0.4, whole_word_share=0.0)
    pairs = (labels[:, 1:31] != -100).reshape(40, 15, 2)
    assert (pairs[..., 0] != pairs[..., 1]).any()  # some words only half masked
    assert 0.3 < (labels[:, 1:31] != -100).mean() < 0.5


@pytest.fixture(scope="module")
def packed(tmp_path_factory):
    work = tmp_path_factory.mktemp("mlm")
    phrases = ["质量很好", "物流太慢了", "客服态度不错", "图文不符", "主播说的是真的", "下次还会回购", "哈哈哈笑死"]
    with (work / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(400):
            text = "，".join(phrases[(i + k) % len(phrases)] for k in range(1 + i % 4))
            handle.write(json.dumps({"corpus": "t", "id": f"t{i}", "text": text}, ensure_ascii=False) + "\n")
    tokenizer = AutoTokenizer.from_pretrained(str(DEFAULT_MODEL))
    sizes = mlm.pack_sequences(work / "corpus.jsonl", tokenizer, work, seq_len=32)
    assert sizes["train"]["sequences"] > 0 and sizes["heldout"]["sequences"] > 0
    return work, tokenizer


def _train(work, tokenizer, **kwargs):
    settings = dict(layers=1, hidden=32, heads=2, seq_len=32, batch_size=8, lr=1e-3, warmup=2,
                    eval_every=1000, checkpoint_every=2, log=lambda m: None)
    settings.update(kwargs)
    return mlm.train(work, tokenizer, **settings)


def test_training_resumes_from_its_checkpoint_and_can_start_from_saved_weights(packed, tmp_path):
    work, tokenizer = packed
    first = _train(work, tokenizer, max_steps=4)
    assert first["metrics"]["steps"] == 4 and np.isfinite(first["metrics"]["loss"])
    resumed = _train(work, tokenizer, max_steps=6, restart_schedule=True, dropout=0.0)
    assert resumed["metrics"]["steps"] == 6  # went on from step 4, not from 0
    first["model"].save_pretrained(str(tmp_path / "saved"))
    (work / "checkpoint.pt").unlink()
    started = _train(work, tokenizer, max_steps=0, init_from=tmp_path / "saved")
    for name, value in first["model"].state_dict().items():
        assert np.allclose(value.numpy(), started["model"].state_dict()[name].numpy()), name
