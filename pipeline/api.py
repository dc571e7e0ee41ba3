"""The Python API over the Pipeline, for analysts' scripts and notebooks."""
from __future__ import annotations

from functools import lru_cache

from .config import load_config
from .pipeline import Pipeline


@lru_cache(maxsize=4)
def _pipeline(model: str | None) -> Pipeline:
    # The model loads once per process and model name.
    return Pipeline(stage="score", model=model)


def score(data, model: str | None = None, config: dict | None = None):
    pipeline = Pipeline(config=load_config(**(config or {})), stage="score", model=model) if config else _pipeline(model)
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        records = data.to_dict("records")
        if "id" not in data.columns:
            for index, record in zip(data.index, records):
                record["id"] = str(index)
        return pd.DataFrame(list(pipeline.run_records(records)))
    records = [{"id": str(i), "text": item} if isinstance(item, str) else item for i, item in enumerate(data)]
    return list(pipeline.run_records(records))


def alerts(source, period: str | None = None, by_platform: bool = False, config: dict | None = None):
    """Alerts (with evidence posts) from scored files, a DuckDB store or a posts DataFrame."""
    from .aggregate import load_posts
    from .alerts import find_alerts

    return find_alerts(load_posts(source), period, by_platform, config)


def report(source, output, period: str | None = None, config: dict | None = None) -> dict:
    """Write the HTML report (and PNG charts) for scored files, a store or a posts DataFrame."""
    from .aggregate import aggregate_posts, load_posts
    from .alerts import find_alerts
    from .report import write_report

    config = config or load_config()
    posts = load_posts(source)
    table = aggregate_posts(posts, period, config=config)
    return write_report(table, find_alerts(posts, period, config=config, indices=table), output)
