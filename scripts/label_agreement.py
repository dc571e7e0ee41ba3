"""Inter-annotator agreement of the double-labeled samples (observed agreement, Cohen's kappa).

    python scripts/label_agreement.py            # every round
    python scripts/label_agreement.py --round v4

Round vN compares data/labels/trust_vN_second.jsonl (an independent second reading)
with the first reading of the same ids in trust_vN_pools.jsonl.
"""
import argparse
import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1] / "data" / "labels"
FIELDS = ("brand", "content", "interaction", "sentiment")


def read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def agreement(round_name: str) -> None:
    first = {row["id"]: row for row in read(ROOT / f"trust_{round_name}_pools.jsonl")}
    second = read(ROOT / f"trust_{round_name}_second.jsonl")
    print(f"{round_name}: {len(second)} posts read twice")
    for field in FIELDS:
        a = [first[row["id"]][field] for row in second]
        b = [row[field] for row in second]
        observed = sum(x == y for x, y in zip(a, b)) / len(a)
        print(f"  {field:12s} agreement {observed:.3f}  kappa {cohen_kappa_score(a, b):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--round", choices=("v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12"), default=None, help="one round (default: every round)")
    args = parser.parse_args()
    for round_name in [args.round] if args.round else ["v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12"]:
        if (ROOT / f"trust_{round_name}_second.jsonl").exists():
            agreement(round_name)


if __name__ == "__main__":
    main()
