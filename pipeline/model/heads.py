"""The trust classifier: a BERT encoder with one head per trust dimension and a sentiment head.

`BertForTrust` is a `transformers` model (BertPreTrainedModel), so it saves and loads
with `save_pretrained` / `from_pretrained` from a local directory or a hub id. The
label sets, the calibration temperatures and the wide channel's pooling weights live
in its config (`config.wide`: n_features, ngram_range, mix per head, and polarity_mix: the
sentiment head's separate weight for its pos-vs-neg decision, wide.pool_hierarchical).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from transformers import BertConfig, BertModel, BertPreTrainedModel

from ..records import DIMENSIONS, SENTIMENT_LABELS, TRUST_LABELS
from . import wide as wide_features

HEADS = {**{d: list(TRUST_LABELS) for d in DIMENSIONS}, "sentiment": list(SENTIMENT_LABELS)}


class WideChannel(nn.Module):
    """Char n-gram TF-IDF → linear logits per head (see model/wide.py); buffers only.

    `feature_hash` lists the vocabulary's hash columns (sorted); `idf` has two rows, the
    trust heads' (zero outside their own vocabulary) and the hierarchical heads'.
    A head listed in `hierarchical` (sentiment) keeps two binary models in its columns —
    polarity (pos vs neg) in the pos column, neutral-vs-polar in the neu column — and its
    output is wide.hierarchical_log_probs. With `domains`, the polarity model also has one
    weight vector and intercept per domain, added for posts of that domain.
    """

    def __init__(self, heads: dict[str, list[str]], n_features: int, ngram_range=(1, 3),
                 hierarchical=(), domains=()):
        super().__init__()
        self.heads = {name: list(labels) for name, labels in heads.items()}
        self.names = list(heads)
        self.sizes = [len(heads[name]) for name in self.names]
        self.ngram_range = tuple(ngram_range)
        self.hierarchical = list(hierarchical)
        self.domains = list(domains)
        self.register_buffer("feature_hash", torch.zeros(n_features, dtype=torch.int32))
        self.register_buffer("idf", torch.ones(2, n_features))
        self.register_buffer("weight", torch.zeros(n_features, sum(self.sizes)))
        self.register_buffer("bias", torch.zeros(sum(self.sizes)))
        if self.domains:
            self.register_buffer("domain_weight", torch.zeros(n_features, len(self.domains)))
            self.register_buffer("domain_bias", torch.zeros(len(self.domains)))
        self._numpy = None

    def set_parameters(self, feature_hash: np.ndarray, idf: np.ndarray,
                       weights: dict[str, tuple[np.ndarray, np.ndarray]],
                       domain_weights: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """`idf`: (2, n_features), the trust heads' row then the hierarchical heads' row."""
        self.feature_hash.copy_(torch.from_numpy(np.asarray(feature_hash, dtype=np.int32)))
        self.idf.copy_(torch.from_numpy(idf))
        self.weight.copy_(torch.from_numpy(np.concatenate([weights[n][0] for n in self.names], axis=1)))
        self.bias.copy_(torch.from_numpy(np.concatenate([weights[n][1] for n in self.names])))
        if domain_weights is not None:
            self.domain_weight.copy_(torch.from_numpy(domain_weights[0]))
            self.domain_bias.copy_(torch.from_numpy(domain_weights[1]))
        self._numpy = None

    def logits(self, texts: list[str], domains: list[str | None] | None = None) -> dict[str, np.ndarray]:
        """Per head: logits, or log-probabilities for a hierarchical head. `domains` (one per
        text, None = unknown) selects the per-domain polarity weights."""
        if self._numpy is None:  # float32 copies once; the buffers may be fp16 on disk
            self._numpy = [self.idf.float().numpy(), self.weight.float().numpy(), self.bias.float().numpy()]
            if self.domains:
                self._numpy += [self.domain_weight.float().numpy(), self.domain_bias.float().numpy()]
            self._hash = self.feature_hash.numpy().astype(np.int64)
        idf, weight, bias = self._numpy[:3]
        counts = wide_features.compact(wide_features.term_counts(texts, wide_features.HASH_SPACE, self.ngram_range),
                                       self._hash)
        x_trust = wide_features.features(counts, idf[0])
        x_all = wide_features.features(counts, idf[1]) if self.hierarchical else None
        bounds = np.cumsum([0] + self.sizes)
        result = {}
        for i, name in enumerate(self.names):
            x = x_all if name in self.hierarchical else x_trust
            result[name] = np.asarray(x @ weight[:, bounds[i]:bounds[i + 1]]) + bias[bounds[i]:bounds[i + 1]]
        for name in self.hierarchical:
            labels = self.heads[name]
            pos, neu, neg = labels.index("pos"), labels.index("neu"), labels.index("neg")
            polarity = result[name][:, pos].copy()
            if self.domains and domains is not None:
                index = np.array([self.domains.index(d) if d in self.domains else -1 for d in domains])
                known = index >= 0
                if known.any():
                    domain_weight, domain_bias = self._numpy[3:]
                    extra = np.asarray(x_all[known] @ domain_weight)
                    polarity[known] += extra[np.arange(int(known.sum())), index[known]] + domain_bias[index[known]]
            result[name] = wide_features.hierarchical_log_probs(polarity, result[name][:, neu], len(labels),
                                                                pos, neu, neg)
        return result


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
        wide = getattr(config, "wide", None)
        self.wide = WideChannel(config.trust_heads, int(wide["n_features"]), wide.get("ngram_range", (1, 3)),
                                wide.get("hierarchical", ()), wide.get("domains", ())) if wide else None
        self.post_init()

    def add_wide_channel(self, n_features: int, ngram_range=wide_features.NGRAM_RANGE,
                         hierarchical=("sentiment",), domains=wide_features.DOMAINS) -> WideChannel:
        """A wide channel over a vocabulary of `n_features` hashed n-grams (set_parameters fills it)."""
        self.config.wide = {"n_features": n_features, "ngram_range": list(ngram_range),
                            "mix": {name: 0.0 for name in self.config.trust_heads},
                            # Heads whose wide channel is two binary models (wide.hierarchical_log_probs).
                            "hierarchical": list(hierarchical),
                            # Domains with their own sentiment-polarity weights.
                            "domains": list(domains)}
        self.wide = WideChannel(self.config.trust_heads, n_features, ngram_range, hierarchical, domains)
        return self.wide

    def polarity(self, name: str) -> tuple[int, int] | None:
        """(pos, neg) indices when the head's wide channel is polarity-only, else None."""
        if name not in (getattr(self.config, "wide", None) or {}).get("polarity_only", []):
            return None
        labels = self.config.trust_heads[name]
        return labels.index("pos"), labels.index("neg")

    def wide_logits(self, texts: list[str], domains: list[str | None] | None = None) -> dict[str, np.ndarray] | None:
        return self.wide.logits(texts, domains) if self.wide is not None else None

    def decide(self, name: str, probs: np.ndarray) -> np.ndarray:
        """Label indices from calibrated probabilities: argmax of log p(y|x) − α·log p_train(y).

        The probabilities stay calibrated (the indices add them up); only the label leans
        towards the rare classes (α fitted on dev for the trust heads' macro-F1, see
        finetune.fit_decision). α = 0, or a head without priors, is the plain argmax."""
        decision = getattr(self.config, "decision", None) or {}
        priors = (decision.get("priors") or {}).get(name)
        alpha = float(decision.get("prior_power", 0.0))
        if not priors or alpha == 0.0:
            return probs.argmax(1)
        return (np.log(np.clip(probs, 1e-12, None)) - alpha * np.log(np.asarray(priors))).argmax(1)

    def features(self, input_ids, attention_mask, token_type_ids=None):
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return torch.cat([hidden[:, 0], mean], dim=-1)

    def forward(self, input_ids, attention_mask, token_type_ids=None, **_):
        pooled = self.dropout(self.features(input_ids, attention_mask, token_type_ids))
        return {name: head(pooled) for name, head in self.heads.items()}

    def calibrated_probs(self, logits: dict[str, torch.Tensor], wide_logits: dict[str, np.ndarray] | None = None,
                         channel: str = "pooled", domains: list[str | None] | None = None) -> dict[str, torch.Tensor]:
        """Probabilities per head: the channels pooled with the dev-fitted weights, then temperature.

        `channel` "bert" or "wide" takes one channel alone (for evaluation); the
        temperatures were fitted on the pooled output. `domains` (one per row) selects a
        domain's own polarity weight where dev fitted one.
        """
        temperatures = self.config.temperatures
        settings = getattr(self.config, "wide", None) or {}
        mix, polarity_mix = settings.get("mix", {}), settings.get("polarity_mix") or {}
        by_domain = settings.get("polarity_mix_by_domain") or {}
        out = {}
        for name, value in logits.items():
            weight = float(mix.get(name, 0.0)) if wide_logits is not None else 0.0
            if channel == "bert":
                weight = 0.0
            elif channel == "wide":
                weight = 1.0
            if channel == "pooled" and wide_logits is not None and name in polarity_mix:
                labels = self.config.trust_heads[name]
                polarity_weight = polarity_weights(float(polarity_mix[name]), by_domain.get(name), domains,
                                                   len(value))
                pooled = torch.from_numpy(wide_features.pool_hierarchical(
                    value.float().numpy(), wide_logits[name], weight, polarity_weight,
                    labels.index("pos"), labels.index("neu"), labels.index("neg")))
                out[name] = torch.softmax(pooled / float(temperatures.get(name, 1.0)), dim=-1)
                continue
            pooled = torch.from_numpy(wide_features.pool_head(
                value.float().numpy(), wide_logits[name] if weight > 0 else None, weight, self.polarity(name)))
            out[name] = torch.softmax(pooled / float(temperatures.get(name, 1.0)), dim=-1)
        return out


def polarity_weights(shared: float, by_domain: dict[str, float] | None, domains: list[str | None] | None,
                     n_rows: int) -> float | np.ndarray:
    """The wide channel's polarity weight per row: a domain's own where dev fitted one
    (`by_domain`), else the shared weight; a plain float when no row has its own."""
    if not by_domain or domains is None:
        return shared
    weights = np.array([by_domain.get(d, shared) if d is not None else shared for d in domains], dtype=np.float64)
    assert len(weights) == n_rows
    return weights
