import numpy as np
import pandas as pd
import pytest

from ugc_trust.aggregate import aggregate_posts, dirichlet_interval
from ugc_trust.alerts import detect, find_alerts
from ugc_trust.store import POST_COLUMNS


def post(i, brand="A", when="2026-03-02T04:00:00+00:00", brand_probs=(0.0, 1.0, 0.0, 0.0), text=None, **extra):
    """A scored post row; brand_probs = (absent, pos, neu, neg) of the brand dimension."""
    row = {c: None for c in POST_COLUMNS}
    row.update(platform="jd", id=str(i), brand=brand, brands=f'["{brand}"]', created_at=when,
               text_norm=text or f"post {i}", trust_brand="pos")
    for d in ("brand", "content", "interaction"):
        probs = brand_probs if d == "brand" else (1.0, 0.0, 0.0, 0.0)
        for label, p in zip(("absent", "pos", "neu", "neg"), probs):
            row[f"p_{d}_{label}"] = p
    row.update(p_sentiment_pos=0.5, p_sentiment_neu=0.0, p_sentiment_neg=0.5)
    row.update(extra)
    return row


def frame(rows):
    return pd.DataFrame(rows, columns=POST_COLUMNS)


def brand_row(table, period_start=None):
    rows = table[(table["dimension"] == "brand")]
    return rows.iloc[0] if period_start is None else rows[rows["period_start"] == period_start].iloc[0]


def test_index_from_hand_computed_expected_counts():
    # pos = 0.9 + 0.5 + 0 = 1.4; neu = 0.1 + 0 + 0.2 = 0.3; neg = 0 + 0.3 + 0.6 = 0.9; one absent post
    rows = [post(1, brand_probs=(0.0, 0.9, 0.1, 0.0)), post(2, brand_probs=(0.2, 0.5, 0.0, 0.3)),
            post(3, brand_probs=(0.2, 0.0, 0.2, 0.6)), post(4, brand_probs=(1.0, 0.0, 0.0, 0.0))]
    row = brand_row(aggregate_posts(frame(rows), "week"))
    assert row["pos"] == pytest.approx(1.4) and row["neu"] == pytest.approx(0.3) and row["neg"] == pytest.approx(0.9)
    assert row["volume"] == pytest.approx(2.6)
    assert row["index"] == pytest.approx((1.4 - 0.9) / 2.6)
    assert row["coverage"] == pytest.approx(2.6 / 4)
    assert row["n_posts"] == 4
    assert row["lo"] < row["index"] < row["hi"]


def test_periods_follow_the_local_calendar():
    # Sunday 2026-03-01 20:00 UTC is Monday 04:00 in Beijing: the week starting 2026-03-02.
    rows = [post(1, when="2026-03-01T20:00:00+00:00"), post(2, when="2026-03-01T10:00:00+00:00")]
    table = aggregate_posts(frame(rows), "week")
    starts = sorted(str(s) for s in table[table["dimension"] == "brand"]["period_start"])
    assert starts == ["2026-02-23", "2026-03-02"]
    months = aggregate_posts(frame(rows), "month")
    assert {str(s) for s in months["period_start"]} == {"2026-03-01"}


def test_floods_and_exact_duplicates_count_once():
    rows = [post(1, text="好评返现", brand_probs=(0, 0, 0, 1.0)), post(2, text="好评返现", brand_probs=(0, 0, 0, 1.0)),
            post(3, brand_probs=(0, 1.0, 0, 0), flood_id="3", flood_count=3, flood_lead=True),
            post(4, brand_probs=(0, 1.0, 0, 0), flood_id="3", flood_count=3, flood_lead=False),
            post(5, brand_probs=(0, 1.0, 0, 0), flood_id="3", flood_count=3, flood_lead=False)]
    row = brand_row(aggregate_posts(frame(rows), "week"))
    assert row["n_posts"] == 2
    assert row["index"] == pytest.approx(0.0)


def test_small_periods_get_wide_intervals_not_hidden():
    small = [post(i, brand_probs=(0, 1.0, 0, 0)) for i in range(3)]
    large = [post(100 + i, when="2026-03-09T04:00:00+00:00", brand_probs=(0, 1.0, 0, 0)) for i in range(300)]
    table = aggregate_posts(frame(small + large), "week")
    rows = table[table["dimension"] == "brand"].sort_values("period_start")
    widths = (rows["hi"] - rows["lo"]).tolist()
    assert len(rows) == 2 and widths[0] > 3 * widths[1]


def test_posts_about_two_brands_count_for_both():
    rows = [post(1, brand="A", brands='["A", "B"]')]
    table = aggregate_posts(frame(rows), "week")
    assert set(table["brand"]) == {"A", "B"}


def test_interval_covers_the_true_index_about_95_percent():
    rng = np.random.default_rng(7)
    trials, covered = 400, 0
    for trial in range(trials):
        theta = rng.dirichlet([2, 1, 2])
        n = int(rng.integers(20, 300))
        counts = rng.multinomial(n, theta)
        lo, hi = dirichlet_interval([counts[0]], [counts[1]], [counts[2]], samples=2000, seed=trial)
        covered += lo[0] <= theta[0] - theta[2] <= hi[0]
    assert 0.92 <= covered / trials <= 0.98


def test_alert_fires_on_a_drop_and_not_on_a_stable_series():
    rows, i = [], 0
    weeks = pd.date_range("2026-01-05", periods=8, freq="7D", tz="Asia/Shanghai")
    for w, start in enumerate(weeks):
        negative = 0.7 if w == 7 else 0.2
        for k in range(120):
            i += 1
            bad = k < int(120 * negative)
            rows.append(post(i, when=(start + pd.Timedelta(hours=12)).isoformat(),
                             brand_probs=(0, 0.05, 0.05, 0.9) if bad else (0, 0.9, 0.05, 0.05)))
            i += 1
            rows.append(post(i, brand="Stable", when=(start + pd.Timedelta(hours=12)).isoformat(),
                             brand_probs=(0, 0.05, 0.05, 0.9) if k < 24 else (0, 0.9, 0.05, 0.05)))
    posts = frame(rows)
    alerts = find_alerts(posts, "week")
    brand_alerts = alerts[alerts["dimension"] == "brand"]
    assert list(brand_alerts["brand"]) == ["A"]
    alert = brand_alerts.iloc[0]
    assert str(alert["period_start"]) == str(weeks[7].date())
    assert alert["drop"] > 0.5 and alert["drop_lo"] > 0.15
    import json

    evidence = json.loads(alert["evidence"])
    assert len(evidence) == 5 and all(e["label"] == "pos" or e["contribution"] > 0 for e in evidence)
