"""ugc-trust: trust in Chinese user-generated content (brand, content, interaction).

The public API::

    import ugc_trust
    ugc_trust.normalize_text("軟體很好用！！！！！")          # '软件很好用！！！'
    ugc_trust.normalize([{"id": "1", "text": "..."}])          # records with text_norm
    ugc_trust.segment(records)                                  # + clauses, words
    ugc_trust.score(["质量很好但是客服不理人"])                  # trust + sentiment per post
    ugc_trust.aggregate("scored.jsonl", period="week")           # indices DataFrame
    ugc_trust.alerts("trust.duckdb"); ugc_trust.report("scored.jsonl", "report.html")
    ugc_trust.Pipeline(stage="segment").run_files(["in.jsonl"], "out.jsonl")
"""
from __future__ import annotations

# Load the stage modules before binding the API functions of the same names (aggregate,
# alerts, report), so a later submodule import cannot replace the function attribute.
from . import aggregate as _aggregate_module, alerts as _alerts_module, report as _report_module  # noqa: F401
from .aggregate import aggregate
from .api import alerts, report
from .brands import BrandLinker, link_brands
from .config import load_config
from .errors import InputError, ModelError, OutputError, UgcTrustError
from .normalize import Normalizer, normalize, normalize_text
from .pipeline import Pipeline, RunCounts
from .segment import collapse_floods, segment, split_clauses, words


def score(data, model: str | None = None, config: dict | None = None):
    """Score texts, records or a pandas DataFrame (columns `text`, optional `id` and the input fields).

    A list of strings or dicts gives a list of output records; a DataFrame gives a
    DataFrame with the output columns. Invalid records raise `ValueError` naming the field.
    """
    from .api import score as _score

    return _score(data, model=model, config=config)

__all__ = [
    "aggregate", "alerts", "report", "BrandLinker", "InputError", "ModelError", "Normalizer", "OutputError", "Pipeline", "RunCounts",
    "UgcTrustError", "collapse_floods", "link_brands", "load_config", "normalize", "normalize_text",
    "score", "segment", "split_clauses", "words",
]
__version__ = "0.1.0"
