"""Evaluation metrics: the paired bootstrap that tells a real gap from test-split noise."""
import numpy as np
import pytest

from ugc_trust.model.metrics import paired_bootstrap


def test_identical_systems_differ_by_exactly_zero():
    target = np.array([0, 1, 2, 1, 0, 2] * 20)
    result = paired_bootstrap(target, target, target, "macro_f1", resamples=200)
    assert result["difference"] == 0 and result["low"] == 0 and result["high"] == 0


def test_a_clearly_better_system_gets_an_interval_above_zero_and_a_close_one_does_not():
    rng = np.random.default_rng(1)
    target = rng.integers(0, 3, 600)
    good = np.where(rng.random(600) < 0.9, target, (target + 1) % 3)
    bad = np.where(rng.random(600) < 0.6, target, (target + 1) % 3)
    clear = paired_bootstrap(target, good, bad, "accuracy", resamples=300)
    assert clear["low"] > 0.2 and clear["a_better_share"] == 1.0
    # One post apart on 600 (each system right where the other is wrong on a few): the
    # interval straddles 0.
    close = good.copy()
    right, wrong = np.flatnonzero(good == target)[:3], np.flatnonzero(good != target)[:2]
    close[right] = (target[right] + 1) % 3
    close[wrong] = target[wrong]
    near = paired_bootstrap(target, good, close, "accuracy", resamples=300)
    assert near["difference"] == pytest.approx(1 / 600)
    assert near["low"] < 0 < near["high"]
