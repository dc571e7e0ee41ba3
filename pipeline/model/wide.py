"""The wide channel of the classifier: char 1–3-gram TF-IDF → one linear layer per head.

Why it exists: the encoder is pretrained here on ~10 M characters on a CPU, so lexical
cues that a char n-gram model learns from a few thousand labeled posts (假货, 图文不符,
客服不回) are not all in it yet. The classifier pools the two channels log-linearly,

    log p(y) ∝ (1 − w) · log p_bert(y) + w · log p_wide(y),

with one weight w per head chosen on dev (w = 0 is BERT alone), then temperature scaling.

The vocabulary is the n-grams seen in at least two training rows, kept as their 31-bit
MurmurHash3 values (scikit-learn's HashingVectorizer, fixed across versions) in a sorted
buffer, so no string list ships and two n-grams share a column only if their 31-bit hashes
collide (a handful among ~350k) — folding them into 2^18 buckets instead cost 1–3 points of
content macro-F1 in cross-validation on the train split. The trust heads see the TF-IDF of
their own vocabulary (n-grams in ≥ 2 trust-labeled rows, idf from those rows, L2 over them),
as the TF-IDF baseline does; the sentiment head sees the vocabulary and idf of every training
row. The hashes, idf rows and weights are buffers of the transformers model, saved in
model.safetensors beside the encoder.
"""
from __future__ import annotations

import numpy as np

N_FEATURES = 2 ** 18
# The hasher's output space for the vocabulary mode: every n-gram keeps its own 31-bit hash.
HASH_SPACE = 2 ** 31 - 1
NGRAM_RANGE = (1, 3)
# Domains whose sentiment vocabulary differs enough to earn their own n-gram weights on top
# of the shared ones ("frustratingly easy" domain adaptation, Daumé 2007): the shopping and
# Weibo corpora disagree on what 呵呵, 好吧 or 无语 mean. A post of unknown domain uses the
# shared weights alone.
DOMAINS = ("review", "social", "chat")


def _hasher(n_features: int = N_FEATURES, ngram_range=NGRAM_RANGE):
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char", ngram_range=tuple(ngram_range), n_features=n_features,
                             alternate_sign=False, norm=None, lowercase=True, dtype=np.float32)


def term_counts(texts: list[str], n_features: int = N_FEATURES, ngram_range=NGRAM_RANGE):
    """Sparse (texts × n_features) sublinear term frequencies 1 + log(tf)."""
    counts = _hasher(n_features, ngram_range).transform(texts).tocsr()
    counts.data = 1.0 + np.log(counts.data)
    return counts


def vocabulary(counts, min_df: int = 2) -> np.ndarray:
    """Sorted hash columns of the n-grams in at least `min_df` rows of `counts` (HASH_SPACE wide)."""
    counts.sum_duplicates()
    columns, document_frequency = np.unique(counts.indices, return_counts=True)
    return columns[document_frequency >= min_df].astype(np.int32)


def compact(counts, kept: np.ndarray):
    """The columns of `counts` listed in `kept` (sorted hash columns), renumbered 0…len(kept)−1;
    n-grams outside the vocabulary are dropped."""
    from scipy.sparse import csr_matrix

    counts = counts.tocsr()
    n_rows = counts.shape[0]
    if len(kept) == 0:
        return csr_matrix((n_rows, 0), dtype=np.float32)
    position = np.searchsorted(kept, counts.indices)
    hit = kept[np.minimum(position, len(kept) - 1)] == counts.indices
    rows = np.repeat(np.arange(n_rows), np.diff(counts.indptr))
    return csr_matrix((counts.data[hit], (rows[hit], position[hit])), shape=(n_rows, len(kept)), dtype=np.float32)


def fit_idf(counts) -> np.ndarray:
    """Smoothed idf as scikit-learn's TfidfTransformer computes it."""
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    n = counts.shape[0]
    return (np.log((1.0 + n) / (1.0 + document_frequency)) + 1.0).astype(np.float32)


def min_df_mask(counts, min_df: int = 2) -> np.ndarray:
    """1 for features seen in at least `min_df` of these rows, else 0 (as TfidfVectorizer's
    min_df: an n-gram seen once is noise a linear model would fit)."""
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    return (document_frequency >= min_df).astype(np.float32)


def features(counts, idf: np.ndarray):
    """TF-IDF rows, L2-normalized."""
    from scipy.sparse import diags
    from sklearn.preprocessing import normalize

    return normalize(counts @ diags(idf), norm="l2", copy=False)


def log_count_ratio(counts, positive: np.ndarray, smoothing: float = 1.0) -> np.ndarray:
    """Per n-gram |r|, r the naive-Bayes log-count ratio between the `positive` rows and the
    others (binarized counts, add-`smoothing`)."""
    binary = counts.tocsr().copy()
    binary.data[:] = 1.0
    positive = np.asarray(positive, dtype=bool)
    p = smoothing + np.asarray(binary[positive].sum(0)).ravel()
    q = smoothing + np.asarray(binary[~positive].sum(0)).ravel()
    return np.abs(np.log((p / p.sum()) / (q / q.sum())))


def nb_scale(counts, positive: np.ndarray, power: float = 0.5, smoothing: float = 1.0) -> np.ndarray:
    """Per-feature scale |r|^power (log_count_ratio between positive and negative rows), mean 1.

    Logistic regression on TF-IDF ⊙ scale is NBSVM's interpolation (Wang & Manning 2012):
    the L2 penalty falls on w_j / scale_j, so n-grams that separate the classes on their own
    (差评, 好评, 失望) are shrunk less than neutral ones. Features are scaled after L2
    normalization, so the scale folds into the weights and inference is unchanged."""
    scale = log_count_ratio(counts, positive, smoothing) ** power
    return (scale / scale.mean()).astype(np.float32)


def nb_scale_multiclass(counts, y: np.ndarray, n_classes: int, power: float = 0.5,
                        smoothing: float = 1.0) -> np.ndarray:
    """nb_scale for several classes: per n-gram the largest |r| of one class against the rest
    (an n-gram that marks any one class — 图文不符 for content neg, 是真的吗 for neu — is
    shrunk less), to the `power`, mean 1."""
    y = np.asarray(y)
    largest = np.zeros(counts.shape[1])
    for label in range(n_classes):
        member = y == label
        if member.any() and not member.all():
            largest = np.maximum(largest, log_count_ratio(counts, member, smoothing))
    scale = largest ** power
    return (scale / scale.mean()).astype(np.float32)


def fit_head(x, y: np.ndarray, n_classes: int, sample_weight: np.ndarray | None = None,
             c: float = 10.0, class_weight: str | None = "balanced") -> tuple[np.ndarray, np.ndarray]:
    """Logistic regression → (weight n_features × n_classes, bias n_classes).

    Classes absent from `y` get a bias far below the others so they are never predicted.
    """
    from sklearn.linear_model import LogisticRegression

    present = np.unique(y)
    weight = np.zeros((x.shape[1], n_classes), dtype=np.float32)
    bias = np.full(n_classes, -30.0, dtype=np.float32)
    if len(present) == 1:
        bias[present[0]] = 0.0
        return weight, bias
    model = LogisticRegression(C=c, class_weight=class_weight, max_iter=3000)
    model.fit(x, y, sample_weight=sample_weight)
    coef, intercept = model.coef_, model.intercept_
    if len(present) == 2:  # binary LR keeps one row: expand to a symmetric pair
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    for row, label in enumerate(model.classes_):
        weight[:, label] = coef[row]
        bias[label] = intercept[row]
    return weight, bias


def domain_index(domain: str | None) -> int:
    """Index of a domain in DOMAINS, or -1 (shared weights only)."""
    return DOMAINS.index(domain) if domain in DOMAINS else -1


def domain_design(x, domains, n_domains: int = len(DOMAINS)):
    """[x | x·1(domain=0) | … | indicators]: the shared features, one masked copy per domain
    and one indicator column per domain (its own intercept)."""
    from scipy.sparse import csr_matrix, diags, hstack

    index = np.asarray([domain_index(d) if not isinstance(d, (int, np.integer)) else int(d) for d in domains])
    blocks = [x]
    for d in range(n_domains):
        blocks.append(diags((index == d).astype(np.float32)) @ x)
    indicators = csr_matrix((np.ones(int((index >= 0).sum()), dtype=np.float32),
                             (np.flatnonzero(index >= 0), index[index >= 0])), shape=(x.shape[0], n_domains))
    return hstack(blocks + [indicators]).tocsr()


def fit_binary(x, y: np.ndarray, sample_weight: np.ndarray | None = None, c: float = 10.0,
               class_weight: str | None = None) -> tuple[np.ndarray, float]:
    """Logistic regression of y ∈ {0, 1} → (coefficients, intercept) of the log-odds of 1."""
    from sklearn.linear_model import LogisticRegression

    if len(np.unique(y)) < 2:
        return np.zeros(x.shape[1], dtype=np.float32), (30.0 if y[0] == 1 else -30.0)
    model = LogisticRegression(C=c, class_weight=class_weight, max_iter=3000)
    model.fit(x, y, sample_weight=sample_weight)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def hierarchical_log_probs(polarity: np.ndarray, neutral: np.ndarray, n_classes: int,
                           pos: int, neu: int, neg: int) -> np.ndarray:
    """Sentiment from two binary models: P(neu) = σ(neutral), and the rest of the mass split
    by P(pos | not neu) = σ(polarity). The neutral model learns from the trust-labeled posts
    (the binary corpora have no neutral class), the polarity model from everything."""
    out = np.full((len(polarity), n_classes), -30.0)
    not_neutral = -np.logaddexp(0.0, neutral)
    out[:, neu] = -np.logaddexp(0.0, -neutral)
    out[:, pos] = not_neutral - np.logaddexp(0.0, -polarity)
    out[:, neg] = not_neutral - np.logaddexp(0.0, polarity)
    return out


def log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def pool(bert_logits: np.ndarray, wide_logits: np.ndarray, weight: float) -> np.ndarray:
    """Log-linear pooling of the two channels (unnormalized log-probabilities)."""
    if weight <= 0:
        return log_softmax(bert_logits)
    if weight >= 1:
        return log_softmax(wide_logits)
    return (1 - weight) * log_softmax(bert_logits) + weight * log_softmax(wide_logits)


def pool_polarity(bert_logits: np.ndarray, wide_logits: np.ndarray, weight: float,
                  pos: int, neg: int) -> np.ndarray:
    """Pooling for a head whose wide channel knows only polarity (the binary sentiment
    corpora have no neutral class): P(neu) and the other classes stay BERT's; the split
    of the remaining mass between pos and neg follows the pooled pos-vs-neg log-odds."""
    bert = log_softmax(bert_logits)
    if weight <= 0 or wide_logits is None:
        return bert
    side = log_softmax(wide_logits)
    odds = (1 - weight) * (bert[:, pos] - bert[:, neg]) + weight * (side[:, pos] - side[:, neg])
    polar = np.logaddexp(bert[:, pos], bert[:, neg])  # log P_bert(pos or neg)
    out = bert.copy()
    out[:, pos] = polar - np.logaddexp(0.0, -odds)
    out[:, neg] = polar - np.logaddexp(0.0, odds)
    return out


def pool_hierarchical(bert_logits: np.ndarray, wide_log_probs: np.ndarray, neutral_weight: float,
                      polarity_weight: float | np.ndarray, pos: int, neu: int, neg: int) -> np.ndarray:
    """Pooling for a hierarchical head (sentiment): its two decisions are pooled apart.

    The wide channel's neutral model learns from ~5k trust-labeled posts and its polarity
    model from ~45k rows, so the two deserve different weights against BERT. Both channels'
    distributions are read as neutral log-odds (neu vs pos or neg) and polarity log-odds
    (pos vs neg), each pooled linearly with its own weight, and recombined by
    hierarchical_log_probs. With equal weights the polarity odds equal `pool`'s. The polarity
    weight may be one per row (a domain's own, BertForTrust.calibrated_probs)."""
    bert = log_softmax(bert_logits)
    side = log_softmax(wide_log_probs)

    def split(log_probs):
        return (log_probs[:, neu] - np.logaddexp(log_probs[:, pos], log_probs[:, neg]),
                log_probs[:, pos] - log_probs[:, neg])

    (neutral_b, polarity_b), (neutral_w, polarity_w) = split(bert), split(side)
    neutral = (1 - neutral_weight) * neutral_b + neutral_weight * neutral_w
    polarity = (1 - polarity_weight) * polarity_b + polarity_weight * polarity_w
    return hierarchical_log_probs(polarity, neutral, bert.shape[1], pos, neu, neg)


def pool_head(bert_logits: np.ndarray, wide_logits: np.ndarray | None, weight: float,
              polarity: tuple[int, int] | None = None) -> np.ndarray:
    """`pool`, or `pool_polarity` when the head's wide channel is polarity-only (pos, neg)."""
    if polarity is not None:
        return pool_polarity(bert_logits, wide_logits, weight, *polarity)
    return pool(bert_logits, wide_logits, weight)
