"""Evaluate the trust classifier on the fixed test split, beside two baselines run here.

    python scripts/evaluate.py --model models/ugc-trust-zh-small --card models/ugc-trust-zh-small/README.md

Reports, per head (brand, content, interaction, sentiment): macro-F1, accuracy,
per-class precision/recall, confusion matrix and expected calibration error, for
  - the model,
  - char 1–3-gram TF-IDF + logistic regression per head (trained on the same train split),
  - a keyword lexicon (hand-written trust and sentiment cue words, below).
Also: binary sentiment accuracy on the held-out (test) split of the shopping corpus and
of the Weibo corpus (emoticon codes stripped) against TF-IDF + LR and + linear SVM
trained on their train split; and the trust test split converted to traditional script
(OpenCC s2twp, and s2hk) against the simplified original; and binary sentiment out of domain, on review
sentences from sites and products the sentiment corpora do not cover (the aspect sets'
restaurant, camera, car, notebook, phone and hair-care reviews, test split, every aspect of
the sentence agreeing), against baselines trained on the model's polarity data. Writes JSON and, with --card, replaces
the "Evaluation" section of the model card.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ugc_trust.model import corpora, labels  # noqa: E402
from ugc_trust.model.baselines import keyword_predict, tfidf_fit  # noqa: E402
from ugc_trust.model.heads import HEADS  # noqa: E402
from ugc_trust.model.metrics import head_report, paired_bootstrap  # noqa: E402
from ugc_trust.normalize import Normalizer  # noqa: E402

def report_all(gold: list[dict], predicted: dict[str, list[str]] | None = None,
               probs: dict[str, np.ndarray] | None = None, decided: dict[str, np.ndarray] | None = None) -> dict:
    out = {}
    for name, names in HEADS.items():
        target = np.array([names.index(g[name]) for g in gold])
        if probs is not None:
            p = probs[name]
            pred = decided[name] if decided is not None else p.argmax(1)
            out[name] = head_report(target, pred, names, p)
        else:
            pred = np.array([names.index(x) for x in predicted[name]])
            out[name] = head_report(target, pred, names)
    return out


def model_report(classifier, texts: list[str], gold: list[dict], channel: str = "pooled",
                 rule: str = "argmax") -> dict:
    """The model's report: its probabilities, labels by `rule` (Classifier.decide)."""
    probs = classifier.predict(texts, channel=channel, domains=[labels.example_domain(e) for e in gold])
    return report_all(gold, probs=probs, decided=classifier.decide(probs, rule))


def binary_accuracy(probs: np.ndarray, gold: list[str]) -> float:
    names = HEADS["sentiment"]
    pos, neg = names.index("pos"), names.index("neg")
    predicted = np.where(probs[:, pos] >= probs[:, neg], "pos", "neg")
    return float((predicted == np.array(gold)).mean())


OUT_OF_DOMAIN_SETS = {"restaurant": ("restaurant",), "products": ("camera", "car", "notebook", "phone", "hair")}


def out_of_domain_sentiment(classifier, sentiment: list[dict], trust: list[dict], shared: Path, norm) -> dict:
    """Binary sentiment on review sentences of sites and products outside the training corpora.

    The aspect sets served only MLM pretraining (their `train` rows) and the trust-label
    pools (a few hundred sentences): their `test` rows outside the trust labels were never
    trained on, and the binary corpora hold no restaurant or camera reviews.
    A sentence counts when all its aspects share one polarity. Baselines: TF-IDF + LR / SVM
    trained on the model's own polarity data: both binary corpora's train split and the
    trust-labeled train posts whose sentiment is pos or neg (some are aspect-set sentences)."""
    from sklearn.metrics import f1_score

    trust_ids = {e["id"] for e in trust}
    train_rows = [e for e in sentiment if e["split"] == "train" and e["id"] not in trust_ids]
    train_rows += [e for e in trust if e["split"] == "train" and e["sentiment"] in ("pos", "neg")]
    x_train, y_train = norm([e["text"] for e in train_rows]), [e["sentiment"] for e in train_rows]
    baselines = {"tfidf_lr": tfidf_fit(x_train, y_train), "tfidf_svm": tfidf_fit(x_train, y_train, svm=True)}
    rows = [r for r in corpora.aspect_sentence_polarity(shared)
            if corpora.split_of(r["id"]) == "test" and r["polarity"] in ("pos", "neg") and r["id"] not in trust_ids]
    out = {}
    for group, sets in OUT_OF_DOMAIN_SETS.items():
        subset = [r for r in rows if r["set"] in sets]
        texts, gold = norm([r["text"] for r in subset]), np.array([r["polarity"] for r in subset])
        probs = classifier.predict(texts, domains=["review"] * len(texts))["sentiment"]
        names = HEADS["sentiment"]
        predicted = {"model": np.where(probs[:, names.index("pos")] >= probs[:, names.index("neg")], "pos", "neg")}
        predicted.update({k: m.predict(texts) for k, m in baselines.items()})
        entry = {"n_test": len(subset), "majority": float(max((gold == "pos").mean(), (gold == "neg").mean()))}
        for system, labels_ in predicted.items():
            entry[system] = {"accuracy": float((labels_ == gold).mean()),
                             "macro_f1": float(f1_score(gold, labels_, average="macro"))}
        best = max(baselines, key=lambda k: entry[k]["accuracy"])
        entry["bootstrap"] = paired_bootstrap(gold, predicted["model"], predicted[best], "accuracy")
        out[group] = entry
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="models/ugc-trust-zh-small")
    parser.add_argument("--shared", type=Path, default=corpora.DEFAULT_SHARED)
    parser.add_argument("--json", type=Path, default=None, help="write all figures here")
    parser.add_argument("--card", type=Path, default=None, help="model card whose Evaluation section is replaced")
    args = parser.parse_args()
    from ugc_trust.classify import Classifier

    started = time.time()
    normalizer = Normalizer()
    classifier = Classifier.load(args.model)

    def norm(texts):
        return [normalizer(t).text or t for t in texts]

    trust = labels.trust_examples(args.shared)
    train = [e for e in trust if e["split"] == "train"]
    test = [e for e in trust if e["split"] == "test"]
    test_texts = norm([e["text"] for e in test])
    results: dict = {"test_rows": len(test), "train_rows": len(train)}

    results["model"] = model_report(classifier, test_texts, test)
    has_wide = classifier.model.wide is not None
    if has_wide:  # each channel of the pooled model alone, to show what each contributes
        results["model_bert"] = model_report(classifier, test_texts, test, channel="bert")
        results["model_wide"] = model_report(classifier, test_texts, test, channel="wide")
        results["pooling"] = dict(classifier.model.config.wide["mix"])
    results["decision"] = dict(getattr(classifier.model.config, "decision", None) or {})
    if results["decision"].get("prior_power"):  # the same probabilities, labels by the balanced rule
        results["model_balanced"] = model_report(classifier, test_texts, test, rule="balanced")
    tfidf_pred = {}
    train_texts = norm([e["text"] for e in train])
    for name in HEADS:
        tfidf_pred[name] = list(tfidf_fit(train_texts, [e[name] for e in train]).predict(test_texts))
    results["tfidf_lr"] = report_all(test, predicted=tfidf_pred)
    results["keywords"] = report_all(test, predicted=keyword_predict(test_texts))

    # Is a gap to the baseline more than the test split's sampling noise? Paired bootstrap.
    results["bootstrap"] = {}
    for name in HEADS:
        target = np.array([HEADS[name].index(e[name]) for e in test])
        results["bootstrap"][name] = paired_bootstrap(
            target, results["model"][name]["predicted"], results["tfidf_lr"][name]["predicted"],
            "accuracy" if name == "sentiment" else "macro_f1")

    # Per domain (macro-F1 of the model) to show where it is weak.
    results["by_domain"] = {}
    for domain in sorted({e["domain"] for e in test}):
        subset = [e for e in test if e["domain"] == domain]
        if len(subset) >= 15:
            results["by_domain"][domain] = {"n": len(subset), **{
                name: round(report["macro_f1"], 3) for name, report in
                model_report(classifier, norm([e["text"] for e in subset]), subset).items()}}

    # Traditional script: the same test split through OpenCC s2twp (Taiwan, with Taiwan phrases)
    # and s2hk (Hong Kong variants).
    import opencc

    for config in ("s2twp", "s2hk"):
        converter = opencc.OpenCC(config)
        traditional = [converter.convert(e["text"]) for e in test]
        results[f"traditional_{config}"] = model_report(classifier, norm(traditional), test)

    # Binary sentiment on the held-out splits of the sentiment corpora.
    sentiment = labels.sentiment_examples(args.shared)
    results["binary_sentiment"] = {}
    for corpus in ("online_shopping_10_cats", "weibo_senti_part"):
        train_rows = [e for e in sentiment if e["corpus"] == corpus and e["split"] == "train"]
        test_rows = [e for e in sentiment if e["corpus"] == corpus and e["split"] == "test"]
        x_train, x_test = norm([e["text"] for e in train_rows]), norm([e["text"] for e in test_rows])
        y_train, y_test = [e["sentiment"] for e in train_rows], np.array([e["sentiment"] for e in test_rows])
        lr_predicted = tfidf_fit(x_train, y_train).predict(x_test)
        svm_predicted = tfidf_fit(x_train, y_train, svm=True).predict(x_test)
        lr, svm = float((lr_predicted == y_test).mean()), float((svm_predicted == y_test).mean())
        domains = [labels.example_domain(e) for e in test_rows]
        probs = classifier.predict(x_test, domains=domains)["sentiment"]
        model = binary_accuracy(probs, list(y_test))
        names = HEADS["sentiment"]
        model_predicted = np.where(probs[:, names.index("pos")] >= probs[:, names.index("neg")], "pos", "neg")
        best = svm_predicted if svm > lr else lr_predicted
        results["binary_sentiment"][corpus] = {"n_test": len(test_rows), "n_train": len(train_rows),
                                               "model": model, "tfidf_lr": lr, "tfidf_svm": svm,
                                               "bootstrap": paired_bootstrap(y_test, model_predicted, best, "accuracy")}
        if has_wide:
            results["binary_sentiment"][corpus]["model_bert"] = binary_accuracy(
                classifier.predict(x_test, channel="bert")["sentiment"], list(y_test))
            results["binary_sentiment"][corpus]["model_wide"] = binary_accuracy(
                classifier.predict(x_test, channel="wide", domains=domains)["sentiment"], list(y_test))
            results["binary_sentiment"][corpus]["model_shared"] = binary_accuracy(
                classifier.predict(x_test)["sentiment"], list(y_test))
    results["out_of_domain"] = out_of_domain_sentiment(classifier, sentiment, trust, args.shared, norm)
    results["minutes"] = (time.time() - started) / 60
    text = render(results, args.model)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    if args.card:
        replace_section(args.card, "## Evaluation", text)


def render(results: dict, model: str) -> str:
    lines = ["## Evaluation", "",
             f"Test split: {results['test_rows']} trust-labeled posts never trained on or tuned against "
             f"(`split_of(id) == 'test'`); baselines trained on the same {results['train_rows']} train posts.",
             "Reproduce: `python scripts/evaluate.py --model " + model + " --card " + model + "/README.md`", "",
             "| head | system | macro-F1 | accuracy | ECE |", "|---|---|---|---|---|"]
    for name in HEADS:
        for system, label in (("model", "**this model**"), ("model_balanced", "this model, `labels: balanced`"),
                              ("model_bert", "its BERT channel alone"),
                              ("model_wide", "its char n-gram channel alone"),
                              ("tfidf_lr", "TF-IDF char 1–3 + LR"), ("keywords", "keyword lexicon"),
                              ("traditional_s2twp", "this model, test → s2twp"),
                              ("traditional_s2hk", "this model, test → s2hk")):
            if system not in results:
                continue
            report = results[system][name]
            ece = f"{report['ece']:.3f}" if "ece" in report else "—"
            lines.append(f"| {name} | {label} | {report['macro_f1']:.3f} | {report['accuracy']:.3f} | {ece} |")
    if "pooling" in results:
        lines += ["", "Pooling weight of the char n-gram channel per head (fitted on dev; 0 = BERT alone): "
                  + ", ".join(f"{k} {v}" for k, v in results["pooling"].items()) + "."]
    decision = results.get("decision") or {}
    if decision.get("prior_power"):
        lines += ["", "Labels are the most probable class (`model.labels: argmax`, the default). The "
                  "`labels: balanced` rows label the same probabilities by argmax of log p(y|x) − "
                  f"{decision['prior_power']}·log p_train(y) on the trust heads (α chosen on dev for macro-F1)."]
    lines += ["", "Binary sentiment (pos vs neg) on the held-out test split of each sentiment corpus "
              "(the model told the corpus's domain — review for shopping, social for Weibo — as `score` "
              "tells it a record's kind or platform; \"no domain\" uses the shared n-gram weights alone):", "",
              "| corpus | n test | this model | no domain | its BERT channel alone | its n-gram channel alone | TF-IDF + LR | TF-IDF + linear SVM |",
              "|---|---|---|---|---|---|---|---|"]
    for corpus, row in results["binary_sentiment"].items():
        cells = [f"{row[k]:.3f}" if k in row else "—" for k in ("model", "model_shared", "model_bert", "model_wide")]
        lines.append(f"| {corpus} | {row['n_test']} | " + " | ".join(cells) + f" | {row['tfidf_lr']:.3f} | {row['tfidf_svm']:.3f} |")
    if results.get("out_of_domain"):
        lines += ["", "Binary sentiment out of domain: review sentences from the aspect sets (restaurants; camera, "
                  "car, notebook, phone and hair-care products), test split, all aspects of one polarity — sites "
                  "and products the sentiment corpora do not cover. Baselines trained on the model's polarity data (both "
                  "binary corpora's train split and the pos / neg trust-labeled train posts; accuracy / macro-F1):", "",
                  "| set | n | majority class | this model | TF-IDF + LR | TF-IDF + linear SVM |", "|---|---|---|---|---|---|"]
        for group, row in results["out_of_domain"].items():
            cells = " | ".join(f"{row[k]['accuracy']:.3f} / {row[k]['macro_f1']:.3f}" for k in ("model", "tfidf_lr", "tfidf_svm"))
            lines.append(f"| {group} | {row['n_test']} | {row['majority']:.3f} | {cells} |")
    lines += ["", "Model − best baseline, with a 95% interval from a paired bootstrap (1,000 resamples of "
              "the test rows, seed 0; \"share\" = resamples where the model is ahead); an interval that "
              "contains 0 means this test split cannot tell the two systems apart:", "",
              "| comparison | metric | difference | 95% interval | share |", "|---|---|---|---|---|"]
    rows = [(f"{name} vs TF-IDF + LR", b) for name, b in results.get("bootstrap", {}).items()]
    rows += [(f"binary {corpus} vs the better of LR / SVM", row["bootstrap"])
             for corpus, row in results["binary_sentiment"].items() if "bootstrap" in row]
    rows += [(f"out-of-domain {group} vs the better of LR / SVM", row["bootstrap"])
             for group, row in (results.get("out_of_domain") or {}).items()]
    for label, b in rows:
        lines.append(f"| {label} | {b['metric'].replace('_', '-')} | {b['difference']:+.3f} | "
                     f"[{b['low']:+.3f}, {b['high']:+.3f}] | {b['a_better_share']:.2f} |")
    lines += ["", "Model macro-F1 by domain of the test split:", "",
              "| domain | n | brand | content | interaction | sentiment |", "|---|---|---|---|---|---|"]
    for domain, row in results["by_domain"].items():
        lines.append(f"| {domain} | {row['n']} | {row['brand']} | {row['content']} | {row['interaction']} | {row['sentiment']} |")
    lines += ["", "Per-class precision / recall of this model (test split):", ""]
    for name in HEADS:
        report = results["model"][name]
        cells = ", ".join(f"{label} {v['precision']:.2f}/{v['recall']:.2f} (n={v['support']})"
                          for label, v in report["per_class"].items())
        lines.append(f"- **{name}**: {cells}; confusion (rows gold {report['labels']}): {report['confusion']}")
    return "\n".join(lines) + "\n"


def replace_section(card: Path, heading: str, text: str) -> None:
    content = card.read_text(encoding="utf-8") if card.exists() else ""
    if heading in content:
        start = content.index(heading)
        rest = content[start + len(heading):]
        match = re.search(r"\n## ", rest)
        end = start + len(heading) + (match.start() + 1 if match else len(rest))
        content = content[:start] + text + ("\n" + content[end:] if match else "")
    else:
        content = content.rstrip() + "\n\n" + text
    card.write_text(content, encoding="utf-8")


if __name__ == "__main__":
    main()
