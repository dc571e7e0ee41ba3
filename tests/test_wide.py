"""The wide (char n-gram) channel: features, fitting, pooling, save/load inside the HF model."""
import numpy as np
import pytest
import torch
from transformers import AutoTokenizer, BertConfig

from ugc_trust.classify import Classifier
from ugc_trust.errors import ModelError
from ugc_trust.model import finetune, wide
from ugc_trust.model.heads import HEADS, BertForTrust

TRAIN = [
    {"text": "质量很好，正品，回购", "brand": "pos", "content": "absent", "interaction": "absent", "sentiment": "pos"},
    {"text": "质量太差了，假货", "brand": "neg", "content": "absent", "interaction": "absent", "sentiment": "neg"},
    {"text": "客服态度好，秒回", "brand": "absent", "content": "absent", "interaction": "pos", "sentiment": "pos"},
    {"text": "客服不理人，物流慢", "brand": "absent", "content": "absent", "interaction": "neg", "sentiment": "neg"},
    {"text": "图文不符，虚假宣传", "brand": "absent", "content": "neg", "interaction": "absent", "sentiment": "neg"},
    {"text": "和描述一样，没骗人", "brand": "absent", "content": "pos", "interaction": "absent", "sentiment": "pos"},
    {"text": "已下单，等收货", "brand": "absent", "content": "absent", "interaction": "absent", "sentiment": "neu"},
] * 4
BINARY = [{"text": "很喜欢，满意", "sentiment": "pos"}, {"text": "太失望了，退货", "sentiment": "neg"}] * 5


def test_features_match_scikit_learn_tfidf_on_the_same_hashed_counts():
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

    texts = ["质量很好质量很好", "物流慢", "质量差，物流慢"]
    counts = wide.term_counts(texts)
    ours = wide.features(counts, wide.fit_idf(counts)).toarray()
    raw = HashingVectorizer(analyzer="char", ngram_range=(1, 3), n_features=wide.N_FEATURES,
                            alternate_sign=False, norm=None).transform(texts)
    expected = TfidfTransformer(sublinear_tf=True).fit_transform(raw).toarray()
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)


def test_vocabulary_features_equal_the_tfidf_baselines_up_to_column_order():
    # The trust heads' features are the baseline's TfidfVectorizer(min_df=2) features: same
    # n-grams (no bucket sharing), same idf, same L2 norm; only the column order differs.
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["质量很好质量很好", "物流慢", "质量差，物流慢", "客服好", "客服差，质量差", "很好很好"]
    hashed = wide.term_counts(texts, wide.HASH_SPACE)
    kept = wide.vocabulary(hashed, min_df=2)
    counts = wide.compact(hashed, kept)
    ours = wide.features(counts, wide.fit_idf(counts) * wide.min_df_mask(counts, 2)).toarray()
    baseline = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    expected = baseline.fit_transform(texts).toarray()
    assert len(kept) == len(baseline.vocabulary_)
    # Match columns through each n-gram's hash.
    hash_of = {gram: wide.term_counts([gram], wide.HASH_SPACE, (len(gram), len(gram))).indices[0]
               for gram in baseline.vocabulary_}
    order = [int(np.searchsorted(kept, hash_of[gram])) for gram in sorted(baseline.vocabulary_, key=baseline.vocabulary_.get)]
    np.testing.assert_allclose(ours[:, order], expected, rtol=1e-5, atol=1e-6)
    # An n-gram outside the vocabulary is dropped, not folded into another column.
    unseen = wide.compact(wide.term_counts(["鑫"], wide.HASH_SPACE), kept)
    assert unseen.nnz == 0


def test_fit_head_maps_classes_and_never_predicts_an_unseen_one():
    counts = wide.term_counts(["好好好", "差差差", "好", "差"])
    x = wide.features(counts, wide.fit_idf(counts))
    weight, bias = wide.fit_head(x, np.array([1, 3, 1, 3]), 4)  # only pos (1) and neg (3) seen
    predicted = np.asarray(x @ weight + bias).argmax(1)
    assert predicted.tolist() == [1, 3, 1, 3]
    assert bias[0] < -10 and bias[2] < -10


def test_nb_scale_favours_ngrams_that_separate_the_classes_and_folds_into_the_weights():
    texts = ["好评很满意", "好评推荐", "差评很失望", "差评退货", "快递到了好评", "快递到了差评"]
    positive = np.array([True, True, False, False, True, False])
    counts = wide.term_counts(texts)
    scale = wide.nb_scale(counts, positive)
    column = {gram: wide.term_counts([gram], ngram_range=(len(gram), len(gram))).indices[0]
              for gram in ("好评", "快递到")}
    assert scale.mean() == pytest.approx(1.0, rel=1e-5)
    # 好评 only in positive rows, 快递到 evenly in both: the neutral n-gram is shrunk.
    assert scale[column["好评"]] > 2 * scale[column["快递到"]]
    # Scaling after L2 normalization is a diagonal map, so the fitted weights fold into one
    # vector that scores raw features exactly as the scaled model does.
    from scipy.sparse import diags

    x = wide.features(counts, wide.fit_idf(counts))
    coef, intercept = wide.fit_binary(x @ diags(scale), positive.astype(int))
    np.testing.assert_allclose(x @ (coef * scale), (x @ diags(scale)) @ coef, rtol=1e-5, atol=1e-6)


def test_multiclass_nb_scale_keeps_an_ngram_that_marks_a_rare_class_strong():
    texts = ["图文不符吧", "图文不符啊", "是真的吗吧", "是真的吗亲", "还行吧", "还行", "一般吧", "一般"]
    y = np.array([3, 3, 2, 2, 0, 0, 0, 0])  # neg, neg, neu, neu, absent × 4
    counts = wide.term_counts(texts)
    scale = wide.nb_scale_multiclass(counts, y, 4)
    column = {gram: wide.term_counts([gram], ngram_range=(len(gram), len(gram))).indices[0]
              for gram in ("是真的", "图文不", "吧")}
    # 是真的 marks the neu class, 图文不 the neg class; 吧 is in half the rows of every class.
    assert scale[column["是真的"]] > scale[column["吧"]]
    assert scale[column["图文不"]] > scale[column["吧"]]
    assert scale.min() >= 0


def test_pool_weight_zero_is_bert_and_one_is_wide():
    rng = np.random.default_rng(0)
    bert, side = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    np.testing.assert_allclose(wide.pool(bert, side, 0.0), wide.log_softmax(bert))
    np.testing.assert_allclose(wide.pool(bert, side, 1.0), wide.log_softmax(side))
    half = wide.pool(bert, side, 0.5)
    np.testing.assert_allclose(half, 0.5 * wide.log_softmax(bert) + 0.5 * wide.log_softmax(side))


@pytest.fixture(scope="module")
def wide_model(tmp_path_factory, tiny_model):
    model = BertForTrust.from_pretrained(str(tiny_model))
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_model))
    finetune.fit_wide_channel(model, TRAIN, BINARY, log=lambda m: None)
    model.config.wide["mix"] = {name: 1.0 for name in HEADS}  # the wide channel alone decides
    path = tmp_path_factory.mktemp("wide-model")
    model.half().save_pretrained(str(path))
    tokenizer.save_pretrained(str(path))
    return path


def test_wide_channel_survives_save_and_load_and_decides_when_weighted_one(wide_model):
    classifier = Classifier.load(wide_model)
    assert classifier.model.wide is not None
    texts = ["质量太差了，假货", "客服态度好，秒回", "图文不符，虚假宣传"]
    rows = classifier.label_records(texts)
    assert [r["trust"]["brand"] for r in rows] == ["neg", "absent", "absent"]
    assert [r["trust"]["interaction"] for r in rows] == ["absent", "pos", "absent"]
    assert [r["trust"]["content"] for r in rows] == ["absent", "absent", "neg"]
    np.testing.assert_allclose(classifier.predict(texts)["brand"], classifier.predict(texts, channel="wide")["brand"],
                               atol=1e-6)


def test_bert_channel_alone_ignores_the_wide_weights(wide_model, tiny_model):
    pooled = Classifier.load(wide_model)
    plain = Classifier.load(tiny_model)
    texts = ["质量太差了，假货", "已下单"]
    bert_only = pooled.predict(texts, channel="bert")["brand"]
    # Same encoder (stored in fp16), temperature 1: the BERT channel equals the plain model.
    np.testing.assert_allclose(bert_only, plain.predict(texts)["brand"], atol=2e-3)
    assert not np.allclose(bert_only, pooled.predict(texts)["brand"], atol=1e-2)


def test_fit_pooling_picks_the_channel_that_is_right_on_dev(tiny_model):
    model = BertForTrust.from_pretrained(str(tiny_model))
    finetune.fit_wide_channel(model, TRAIN, BINARY, log=lambda m: None)
    dev = TRAIN[:7]
    labels, binary = finetune.label_matrix(dev)
    # A BERT channel that is always wrong (uniform noise favouring "absent" for everything).
    bert_logits = {name: np.tile(np.eye(len(HEADS[name]))[0] * 5, (len(dev), 1)).astype(np.float32) for name in HEADS}
    result = finetune.fit_pooling(model, bert_logits, [e["text"] for e in dev], labels, binary, log=lambda m: None)
    assert result["mix"]["interaction"] >= 0.5 and result["mix"]["brand"] >= 0.5


def test_fit_pooling_weighs_sentiment_polarity_on_the_binary_rows_and_keeps_it_on_save(tiny_model, tmp_path):
    model = BertForTrust.from_pretrained(str(tiny_model))
    finetune.fit_wide_channel(model, TRAIN, BINARY, log=lambda m: None)
    dev = TRAIN[:7] + [dict(e, binary=True) for e in BINARY[:2]] * 3
    labels, binary = finetune.label_matrix(dev)
    pos = HEADS["sentiment"].index("pos")
    # BERT calls every post positive: right on half the binary rows, so polarity leans wide.
    bert_logits = {name: np.tile(np.eye(len(HEADS[name]))[pos if name == "sentiment" else 0] * 5,
                                 (len(dev), 1)).astype(np.float32) for name in HEADS}
    result = finetune.fit_pooling(model, bert_logits, [e["text"] for e in dev], labels, binary, log=lambda m: None)
    assert result["polarity_mix"]["sentiment"] >= 0.5
    model.save_pretrained(str(tmp_path))
    reloaded = BertForTrust.from_pretrained(str(tmp_path))
    assert reloaded.config.wide["polarity_mix"] == result["polarity_mix"]
    texts = [e["text"] for e in BINARY[:2]]
    probs = reloaded.calibrated_probs({k: torch.from_numpy(v[-2:]) for k, v in bert_logits.items()},
                                      reloaded.wide_logits(texts))["sentiment"].numpy()
    neg = HEADS["sentiment"].index("neg")
    assert probs[1, neg] > probs[1, pos]  # 太失望了，退货: the wide polarity wins over BERT's "pos"


def test_wide_channel_requested_from_a_model_without_one(tiny_model):
    with pytest.raises(ModelError, match="no wide"):
        Classifier.load(tiny_model).predict(["好"], channel="wide")


def test_polarity_pooling_keeps_bert_neutral_mass_and_moves_pos_vs_neg():
    bert = np.log(np.array([[0.5, 0.2, 0.3]]))  # pos, neu, neg
    side = np.log(np.array([[0.01, 1e-12, 0.99]]))  # the wide channel is sure it is negative
    pooled = np.exp(wide.pool_polarity(bert, side, 1.0, pos=0, neg=2))
    assert pooled.sum() == pytest.approx(1.0)
    assert pooled[0, 1] == pytest.approx(0.2)  # neu untouched
    assert pooled[0, 2] == pytest.approx(0.8 * 0.99)
    np.testing.assert_allclose(wide.pool_polarity(bert, side, 0.0, 0, 2), wide.log_softmax(bert))


def test_hierarchical_sentiment_is_a_distribution_with_the_neutral_model_s_mass():
    polarity, neutral = np.array([2.0, -1.0, 0.0]), np.array([-3.0, 0.5, 10.0])
    log_probs = wide.hierarchical_log_probs(polarity, neutral, 3, pos=0, neu=1, neg=2)
    probs = np.exp(log_probs)
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(probs[:, 1], 1 / (1 + np.exp(-neutral)), rtol=1e-6)
    assert probs[0, 0] > probs[0, 2] and probs[1, 2] > probs[1, 0]


def test_hierarchical_pooling_weighs_the_neutral_and_polarity_decisions_apart():
    bert = np.log(np.array([[0.6, 0.3, 0.1]]))  # pos, neu, neg
    side = np.log(np.array([[0.05, 0.05, 0.9]]))
    # Neutral decision from BERT alone, polarity from the wide channel alone.
    probs = np.exp(wide.pool_hierarchical(bert, side, 0.0, 1.0, pos=0, neu=1, neg=2))
    assert probs.sum() == pytest.approx(1.0)
    assert probs[0, 1] == pytest.approx(0.3)
    assert probs[0, 2] / probs[0, 0] == pytest.approx(0.9 / 0.05)
    # Each weight at 0 or 1 on both decisions gives back one channel.
    np.testing.assert_allclose(wide.pool_hierarchical(bert, side, 0.0, 0.0, 0, 1, 2), bert, atol=1e-9)
    np.testing.assert_allclose(wide.pool_hierarchical(bert, side, 1.0, 1.0, 0, 1, 2), side, atol=1e-9)
    # With equal weights the pos-vs-neg odds are those of plain log-linear pooling.
    both = wide.pool_hierarchical(bert, side, 0.4, 0.4, 0, 1, 2)
    plain = wide.pool(bert, side, 0.4)
    assert both[0, 0] - both[0, 2] == pytest.approx(plain[0, 0] - plain[0, 2])


def test_domain_weights_let_one_word_mean_opposite_things_in_two_domains(tiny_model):
    # 呵呵 is praise in these reviews and scorn in these social posts; the shared weights
    # alone cannot tell, the per-domain weights can.
    reviews = [{"text": f"呵呵{i}号", "sentiment": "pos", "corpus": "online_shopping_10_cats"} for i in range(12)]
    social = [{"text": f"呵呵{i}号", "sentiment": "neg", "corpus": "weibo_senti_part"} for i in range(12)]
    model = BertForTrust.from_pretrained(str(tiny_model))
    finetune.fit_wide_channel(model, TRAIN, reviews + social + BINARY, log=lambda m: None)
    logits = model.wide_logits(["呵呵"] * 2, ["review", "social"])["sentiment"]
    pos, neg = HEADS["sentiment"].index("pos"), HEADS["sentiment"].index("neg")
    assert logits[0, pos] > logits[0, neg] and logits[1, neg] > logits[1, pos]
    unknown = model.wide_logits(["呵呵"])["sentiment"]
    assert abs(unknown[0, pos] - unknown[0, neg]) < abs(logits[0, pos] - logits[0, neg])


def test_decision_prior_power_moves_labels_to_rare_classes_but_not_probabilities(tiny_model):
    model = BertForTrust.from_pretrained(str(tiny_model))
    probs = np.array([[0.6, 0.1, 0.05, 0.25], [0.97, 0.01, 0.01, 0.01]])  # absent, pos, neu, neg
    assert model.decide("content", probs).tolist() == [0, 0]
    model.config.decision = {"prior_power": 1.0, "priors": {"content": [0.9, 0.03, 0.02, 0.05]}}
    assert model.decide("content", probs).tolist() == [3, 0]  # 0.25 / 0.05 beats 0.6 / 0.9
    assert model.decide("sentiment", probs[:, :3]).tolist() == [0, 0]  # no priors: plain argmax
    model.config.decision["prior_power"] = 0.0
    assert model.decide("content", probs).tolist() == [0, 0]


def test_fit_decision_keeps_plain_argmax_when_it_is_already_best(tiny_model):
    model = BertForTrust.from_pretrained(str(tiny_model))
    gold = TRAIN[:7]
    labels, _ = finetune.label_matrix(gold)
    calibrated = {name: np.eye(len(HEADS[name]))[labels[:, h]] * 0.9 + 0.1 / len(HEADS[name])
                  for h, name in enumerate(HEADS)}
    assert finetune.fit_decision(model, calibrated, labels, finetune.class_priors(TRAIN), log=lambda m: None) == 0.0


def test_record_domain_from_kind_then_platform():
    from ugc_trust.classify import record_domain

    assert record_domain({"kind": "danmaku", "platform": "bilibili"}) == "chat"
    assert record_domain({"kind": "comment", "platform": "jd"}) == "review"
    assert record_domain({"kind": "comment", "platform": "weibo"}) == "social"
    assert record_domain({"platform": "xiaohongshu"}) == "social"
    assert record_domain({"kind": "review"}) == "review"
    assert record_domain({}) is None


def test_classifier_labels_are_the_top_class_unless_balanced_is_asked_for(wide_model):
    classifier = Classifier.load(wide_model)
    classifier.model.config.decision = {"prior_power": 1.0, "priors": {"content": [0.97, 0.01, 0.01, 0.01]}}
    probs = {"content": np.array([[0.6, 0.3, 0.05, 0.05]])}
    assert classifier.decide(probs)["content"].tolist() == [0]
    assert classifier.decide(probs, "balanced")["content"].tolist() == [1]
    with pytest.raises(ModelError, match="argmax or balanced"):
        Classifier(classifier.model, classifier.tokenizer, labels="balance")


def test_each_domain_with_enough_binary_dev_rows_gets_its_own_polarity_weight():
    rng = np.random.default_rng(0)
    pos, neu, neg = (HEADS["sentiment"].index(k) for k in ("pos", "neu", "neg"))
    n = 2 * finetune.MIN_DOMAIN_POLARITY_ROWS
    domains = ["review"] * (n // 2) + ["social"] * (n // 2) + ["chat"] * 20
    target = rng.choice([pos, neg], size=len(domains))
    sign = np.where(target == pos, 1.0, -1.0)
    # BERT is right and sure on reviews, a coin toss on social posts and chat; the n-gram
    # channel is right 80% of the time everywhere.
    bert_odds = np.where(np.array(domains) == "review", 3.0 * sign, rng.normal(0, 2, len(domains)))
    wide_odds = np.where(rng.random(len(domains)) < 0.8, 1.5, -1.5) * sign

    def logits(odds):
        out = np.zeros((len(odds), 3), dtype=np.float32)
        out[:, pos], out[:, neg], out[:, neu] = odds / 2, -odds / 2, -20.0
        return out

    binary = np.ones(len(domains), dtype=bool)
    own = finetune.fit_domain_polarity_weights(logits(bert_odds), wide.log_softmax(logits(wide_odds)), target,
                                               binary, pos, neg, np.round(np.linspace(0, 1, 11), 2), domains,
                                               log=lambda m: None)
    assert set(own) == {"review", "social"}  # 20 chat rows are too few to choose on
    assert own["review"] <= 0.3 and own["social"] >= 0.7


def test_a_domain_s_own_polarity_weight_applies_to_its_rows_only(tiny_model):
    from ugc_trust.model.heads import polarity_weights

    assert polarity_weights(0.4, None, ["social"], 1) == 0.4
    np.testing.assert_allclose(polarity_weights(0.4, {"social": 1.0}, ["review", "social", None], 3), [0.4, 1.0, 0.4])
    model = BertForTrust.from_pretrained(str(tiny_model))
    finetune.fit_wide_channel(model, TRAIN, BINARY, log=lambda m: None)
    model.config.wide.update(mix={"sentiment": 0.0}, polarity_mix={"sentiment": 0.0},
                             polarity_mix_by_domain={"sentiment": {"social": 1.0}})
    pos, neg = HEADS["sentiment"].index("pos"), HEADS["sentiment"].index("neg")
    texts = ["太失望了，退货"] * 2
    bert_logits = {name: torch.from_numpy(np.tile(np.eye(len(HEADS[name]))[pos if name == "sentiment" else 0] * 5,
                                                   (2, 1)).astype(np.float32)) for name in HEADS}
    probs = model.calibrated_probs(bert_logits, model.wide_logits(texts), domains=["review", "social"])["sentiment"]
    assert probs[0, pos] > probs[0, neg]  # review: BERT's polarity alone
    assert probs[1, neg] > probs[1, pos]  # social: the n-gram channel's


def test_stacked_pooling_in_torch_is_the_wide_pool():
    rng = np.random.default_rng(1)
    bert, side = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    got = finetune.stacked(torch.from_numpy(bert), torch.from_numpy(wide.log_softmax(side)), 0.7).numpy()
    np.testing.assert_allclose(got, wide.pool(bert, side, 0.7), atol=1e-6)


def test_cross_fitted_log_probs_score_every_row_once_from_the_other_folds():
    out = finetune.cross_fitted_wide_log_probs(TRAIN, BINARY, folds=2, seed=3, log=lambda m: None)
    again = finetune.cross_fitted_wide_log_probs(TRAIN, BINARY, folds=2, seed=3, log=lambda m: None)
    for name, labels in HEADS.items():
        assert out[name].shape == (len(TRAIN) + len(BINARY), len(labels))
        # A row no fold scored would stay all zeros, whose exp sums to the number of classes.
        np.testing.assert_allclose(np.exp(out[name]).sum(1), 1.0, atol=1e-5)
        np.testing.assert_array_equal(out[name], again[name])
    # Each text occurs four times, so its other copies teach the other fold: still right.
    brand = np.array([HEADS["brand"].index(e["brand"]) for e in TRAIN])
    assert (out["brand"][: len(TRAIN)].argmax(1) == brand).mean() >= 0.9


def test_stacked_training_selects_epochs_on_the_pooled_dev_output(tiny_model):
    model = BertForTrust.from_pretrained(str(tiny_model))
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_model))
    rng = np.random.default_rng(0)
    offsets = {name: wide.log_softmax(rng.normal(size=(len(TRAIN), len(labels)))).astype(np.float32)
               for name, labels in HEADS.items()}
    dev = TRAIN[:7]
    dev_offsets = {name: value[:7] for name, value in offsets.items()}
    seen = []

    def select(logits, labels, binary):
        seen.append({k: v.copy() for k, v in logits.items()})
        return 0.0  # every epoch ties: the first one is kept

    finetune.train(model, tokenizer, TRAIN, dev, epochs=1, batch_size=8, seed=0, select=select,
                   offsets=offsets, dev_offsets=dev_offsets, offset_weight=0.6, log=lambda m: None)
    bert = finetune.predict_logits(model, finetune.encode(tokenizer, [e["text"] for e in dev]), tokenizer.pad_token_id)
    for name in HEADS:
        np.testing.assert_allclose(seen[0][name], wide.pool(bert[name], dev_offsets[name], 0.6), atol=1e-4)
    with pytest.raises(ValueError, match="offsets"):
        finetune.train(model, tokenizer, TRAIN, dev, epochs=1, seed=0, offsets={"brand": offsets["brand"][:5]},
                       offset_weight=0.5, log=lambda m: None)
