"""Configuration: one YAML file (configs/default.yaml) with user overrides merged in."""
from __future__ import annotations

import copy
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

#: The project root: where configs/, lexicons/ and models/ live. An editable install
#: (the README's) points here; UGC_TRUST_HOME overrides it for other layouts.
PROJECT_ROOT = Path(os.environ.get("UGC_TRUST_HOME", Path(__file__).resolve().parent.parent))
DEFAULT_CONFIG = PROJECT_ROOT / "configs" / "default.yaml"


def _merge(base: dict, override: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@lru_cache(maxsize=8)
def _load_yaml(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def load_config(path: str | os.PathLike | None = None, **overrides: Any) -> dict:
    """The default configuration, with the file at `path` and keyword overrides merged over it."""
    config = _load_yaml(str(DEFAULT_CONFIG))
    if path is not None:
        config = _merge(config, _load_yaml(str(path)))
    if overrides:
        config = _merge(config, overrides)
    return copy.deepcopy(config)


def resolve(path: str | os.PathLike) -> Path:
    """A path from the config: absolute as given, else relative to the project root."""
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path
