"""Inter-annotator agreement of the double-labeled sample (observed agreement, Cohen's kappa).

    python scripts/label_agreement.py
"""
import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1] / "data" / "labels"


def main() -> None:
    first = {}
    for line in (ROOT / "trust_v2_pools.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        first[row["id"]] = row
    second = [json.loads(line) for line in (ROOT / "trust_v2_second.jsonl").open(encoding="utf-8")]
    print(f"{len(second)} posts read twice")
    for field in ("brand", "content", "interaction", "sentiment"):
        a = [first[row["id"]][field] for row in second]
        b = [row[field] for row in second]
        agreement = sum(x == y for x, y in zip(a, b)) / len(a)
        print(f"{field:12s} agreement {agreement:.3f}  kappa {cohen_kappa_score(a, b):.3f}")


if __name__ == "__main__":
    main()
