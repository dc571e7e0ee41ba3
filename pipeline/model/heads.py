"""The trust classifier: a BERT encoder with one head per trust dimension and a sentiment head.

`BertForTrust` is a `transformers` model (BertPreTrainedModel), so it saves and loads
with `save_pretrained` / `from_pretrained` from a local directory or a hub id. The
label sets and the calibration temperatures live in its config.
"""
from __future__ import annotations

import torch
from torch import nn
from transformers import BertConfig, BertModel, BertPreTrainedModel

from ..records import DIMENSIONS, SENTIMENT_LABELS, TRUST_LABELS

HEADS = {**{d: list(TRUST_LABELS) for d in DIMENSIONS}, "sentiment": list(SENTIMENT_LABELS)}


class BertForTrust(BertPreTrainedModel):
    """Encoder → [CLS] and mean-pooled states → dropout → a linear head per dimension."""

    def __init__(self, config: BertConfig):
        super().__init__(config)
        if not getattr(config, "trust_heads", None):
            config.trust_heads = HEADS
        if not getattr(config, "temperatures", None):
            config.temperatures = {name: 1.0 for name in config.trust_heads}
        self.bert = BertModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.heads = nn.ModuleDict({
            name: nn.Linear(2 * config.hidden_size, len(labels)) for name, labels in config.trust_heads.items()
        })
        self.post_init()

    def features(self, input_ids, attention_mask, token_type_ids=None):
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return torch.cat([hidden[:, 0], mean], dim=-1)

    def forward(self, input_ids, attention_mask, token_type_ids=None, **_):
        pooled = self.dropout(self.features(input_ids, attention_mask, token_type_ids))
        return {name: head(pooled) for name, head in self.heads.items()}

    def calibrated_probs(self, logits: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        temperatures = self.config.temperatures
        return {name: torch.softmax(value.float() / float(temperatures.get(name, 1.0)), dim=-1)
                for name, value in logits.items()}
