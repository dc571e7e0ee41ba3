import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "models" / "ugc-trust-zh-small"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A tiny random BertForTrust with the project's tokenizer: fast, for plumbing tests."""
    from transformers import AutoTokenizer, BertConfig

    from ugc_trust.model.heads import HEADS, BertForTrust

    tokenizer = AutoTokenizer.from_pretrained(os.environ.get("UGC_TRUST_TEST_TOKENIZER", str(DEFAULT_MODEL)))
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=256, pad_token_id=tokenizer.pad_token_id)
    config.trust_heads = HEADS
    model = BertForTrust(config)
    path = tmp_path_factory.mktemp("tiny-model")
    model.save_pretrained(str(path))
    tokenizer.save_pretrained(str(path))
    return path
