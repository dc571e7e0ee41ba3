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
    try:
        import pandas as pd
    except ImportError:  # pandas is a dependency; this only guards odd installs
        pd = None
    if pd is not None and isinstance(data, pd.DataFrame):
        records = data.to_dict("records")
        if "id" not in data.columns:
            for index, record in zip(data.index, records):
                record["id"] = str(index)
        return pd.DataFrame(list(pipeline.run_records(records)))
    records = [{"id": str(i), "text": item} if isinstance(item, str) else item for i, item in enumerate(data)]
    return list(pipeline.run_records(records))
