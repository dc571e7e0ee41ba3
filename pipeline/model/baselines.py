"""Baselines the model is compared with, run in the same scripts: char n-gram TF-IDF + a
linear classifier, and a keyword lexicon (cue words a reader of the taxonomy lists first)."""
from __future__ import annotations

import re

from .heads import HEADS

KEYWORDS = {
    "brand": {
        "neg": "质量差|质量不好|做工粗糙|假货|山寨|不是正品|难用|不好用|垃圾|坏了|太贵|不值|再也不买|失望|退货|难吃|掉色|起球",
        "pos": "质量好|质量不错|质量很好|正品|好用|做工好|做工不错|性价比高|划算|回购|值得|好吃|舒服|不错|推荐",
        "neu": "品牌|质量|正品吗|产品|东西",
    },
    "content": {
        "neg": "图文不符|货不对板|与描述不符|和描述不一样|和图片不一样|刷的|水军|虚假宣传|软广|恰饭|骗人|先涨价|降价|价保|赠品没|没有赠品",
        "pos": "与描述相符|和描述一样|和图片一样|没骗人|没踩雷|测评|实物比图片",
        "neu": "描述|图片|评价|评论|博主|主播说|广告|宣传",
    },
    "interaction": {
        "neg": "客服.{0,4}(差|不理|不回|态度)|已读不回|物流慢|快递慢|发货慢|包装破损|暴力|不回答|售后.{0,3}差|拖",
        "pos": "客服.{0,4}(好|耐心|热情|及时)|秒回|物流快|快递快|发货快|送货快|包装好|服务好|售后好|主播.{0,2}(好|美|会说|耐心)",
        "neu": "客服|物流|快递|发货|售后|包装|主播|福袋|链接",
    },
}
SENTIMENT_POS = "好|不错|满意|喜欢|推荐|棒|赞|划算|值|快|舒服|漂亮|开心|哈哈|爱"
SENTIMENT_NEG = "差|不好|失望|垃圾|坏|慢|贵|假|退|难|烂|骗|气|不行|无语|后悔|恶心"


def keyword_predict(texts: list[str]) -> dict[str, list[str]]:
    out = {name: [] for name in HEADS}
    compiled = {d: {p: re.compile(k) for p, k in table.items()} for d, table in KEYWORDS.items()}
    pos_re, neg_re = re.compile(SENTIMENT_POS), re.compile(SENTIMENT_NEG)
    for text in texts:
        for dimension, table in compiled.items():
            label = "absent"
            for polarity in ("neg", "pos", "neu"):
                if table[polarity].search(text):
                    label = polarity
                    break
            out[dimension].append(label)
        pos, neg = len(pos_re.findall(text)), len(neg_re.findall(text))
        out["sentiment"].append("pos" if pos > neg else "neg" if neg > pos else "neu")
    return out


def tfidf_fit(texts, targets, svm: bool = False):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    classifier = LinearSVC(C=0.5) if svm else LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced")
    model = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True), classifier)
    return model.fit(texts, targets)




def tfidf_accuracy(train_texts, train_labels, test_texts, test_labels, svm: bool = False) -> float:
    predicted = tfidf_fit(train_texts, train_labels, svm).predict(test_texts)
    return float(sum(p == t for p, t in zip(predicted, test_labels)) / len(test_labels))
