"""The trust report: one self-contained HTML file, and the same charts as PNG for slides.

Per brand: the three trust indices and sentiment over time (line + 95% band), the
volume of posts behind each point (bars), alert markers, and each alert's evidence
posts. Charts are PNG embedded as data: URIs, so the file needs no network.
"""
from __future__ import annotations

import base64
import html
import io
import json
import re
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .records import DIMENSIONS

TITLES = {
    "brand": "Brand trust 品牌信任",
    "content": "Content trust 内容信任",
    "interaction": "Interaction trust 互动体验信任",
    "sentiment": "Sentiment 情感",
}
EXPLAIN = {
    "brand": "the products, the shop and the brand itself",
    "content": "descriptions, photos, reviews, influencer and ad claims",
    "interaction": "customer service, delivery, after-sales, livestream hosts",
    "sentiment": "overall tone of every post about the brand",
}
CJK_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei", "Microsoft YaHei",
             "PingFang SC", "DejaVu Sans"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = CJK_FONTS
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def brand_chart(brand: str, indices: pd.DataFrame, alerts: pd.DataFrame):
    """A figure of four panels (three trust dimensions and sentiment) for one brand."""
    plt = _pyplot()
    figure, axes = plt.subplots(4, 1, figsize=(9, 10.5), sharex=True)
    data = indices[indices["brand"] == brand]
    for axis, dimension in zip(axes, (*DIMENSIONS, "sentiment")):
        series = data[data["dimension"] == dimension].sort_values("period_start")
        x = pd.to_datetime(series["period_start"])
        volume_axis = axis.twinx()
        if len(series):
            width = max(1.0, (x.diff().dt.days.median() if len(x) > 1 else 7) * 0.6)
            volume_axis.bar(x, series["volume"], width=width, color="#d9dde3", zorder=0, label="posts")
        volume_axis.set_ylabel("posts", color="#8a929c", fontsize=8)
        volume_axis.tick_params(axis="y", colors="#8a929c", labelsize=8)
        axis.set_zorder(volume_axis.get_zorder() + 1)
        axis.patch.set_visible(False)
        axis.axhline(0, color="#888", linewidth=0.8, linestyle=":")
        if len(series):
            axis.fill_between(x, series["lo"], series["hi"], color="#4c78a8", alpha=0.22, linewidth=0,
                              label="95% interval")
            axis.plot(x, series["index"], "-o", color="#1f4e79", markersize=3.5, linewidth=1.8, label="index")
        marks = alerts[(alerts["brand"] == brand) & (alerts["dimension"] == dimension)] if len(alerts) else alerts
        if len(marks):
            axis.scatter(pd.to_datetime(marks["period_start"]), marks["index"], marker="v", s=110, color="#d62728",
                         zorder=5, label="alert: trust dropped")
        axis.set_ylim(-1.05, 1.05)
        axis.set_ylabel("index (−1…+1)", fontsize=8)
        axis.set_title(f"{TITLES[dimension]} — {EXPLAIN[dimension]}", fontsize=10, loc="left")
        axis.grid(alpha=0.25)
    handles, labels = [], []
    for axis in axes:
        for handle, label in zip(*axis.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    handles.append(plt.Rectangle((0, 0), 1, 1, color="#d9dde3"))
    labels.append("posts in period (right axis)")
    figure.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False)
    figure.suptitle(f"{brand}: trust over time", fontsize=14, x=0.06, ha="left")
    figure.autofmt_xdate()
    # Fixed margins: tight_layout costs more than drawing the chart.
    figure.subplots_adjust(left=0.09, right=0.91, top=0.93, bottom=0.1, hspace=0.38)
    return figure


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing-glyph warnings where no CJK font is installed
        figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _slug(name: str) -> str:
    return re.sub(r"[^\w\-]+", "_", name).strip("_") or "brand"


def _arrow(series: pd.DataFrame) -> str:
    if len(series) < 2:
        return ""
    change = series["index"].iloc[-1] - series["index"].iloc[-2]
    return "▲" if change > 0.05 else "▼" if change < -0.05 else "▬"


def write_report(indices: pd.DataFrame, alerts: pd.DataFrame, output: str | Path, png_dir: str | Path | None = None,
                 title: str = "ugc-trust report") -> dict:
    """Write the HTML report (and PNGs); return {"html": path, "pngs": [...]}."""
    plt = _pyplot()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    png_dir = Path(png_dir) if png_dir else output.with_suffix("").with_name(output.stem + "_charts")
    png_dir.mkdir(parents=True, exist_ok=True)
    alerts = alerts if alerts is not None else pd.DataFrame(columns=["brand"])
    # Brands with alerts first, then by volume: what a manager should look at first.
    volume = indices[indices["dimension"] == "sentiment"].groupby("brand")["volume"].sum()
    alerted = set(alerts["brand"]) if len(alerts) else set()
    brands = sorted(volume.index, key=lambda b: (b not in alerted, -volume[b]))
    period = indices["period"].iloc[0] if len(indices) else "week"
    first = pd.to_datetime(indices["period_start"]).min() if len(indices) else None
    last = pd.to_datetime(indices["period_start"]).max() if len(indices) else None

    parts = [f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body{{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;margin:24px auto;max-width:1060px;color:#1d232b;line-height:1.45}}
h1{{margin-bottom:4px}} .muted{{color:#66707c}} table{{border-collapse:collapse;width:100%;margin:10px 0 18px}}
th,td{{border-bottom:1px solid #e3e6ea;padding:5px 8px;text-align:left;font-size:14px;vertical-align:top}}
th{{background:#f4f6f8}} td.num{{text-align:right;font-variant-numeric:tabular-nums}}
.alert{{border-left:4px solid #d62728;background:#fff5f5;padding:8px 12px;margin:10px 0}}
.ok{{border-left:4px solid #2ca02c;background:#f4fbf4;padding:8px 12px;margin:10px 0}}
.neg{{color:#c0392b}} .pos{{color:#1e7d32}} img{{max-width:100%;border:1px solid #e3e6ea}}
section{{margin-top:34px}} .evidence td{{font-size:13px}}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="muted">Generated {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} · periods: {period} ·
{first.date() if first is not None else '—'} to {last.date() if last is not None else '—'} · {len(brands)} brands · {len(alerts)} alerts</p>
<p><b>How to read it.</b> Each index runs from <b>−1</b> (every post that talks about this kind of trust
is negative) to <b>+1</b> (every one is positive); 0 is balanced. The shaded band is the 95% interval:
wide when few posts speak about it, so a single noisy week is not mistaken for a trend. Grey bars
show how many posts each point rests on. A red ▼ marks an <b>alert</b>: the period fell clearly below
its previous weeks' baseline; the posts behind it are listed under the chart.</p>
<h2>Latest period of each brand</h2>
<p class="muted">Index and [95% interval] in the brand's latest {period}; coloured only when the interval
excludes 0 (a clear verdict). “≈ n posts” counts the posts that speak about that kind of trust; with fewer
than one, no index is shown.</p><table><tr><th>brand<br><span class="muted">period start</span></th>"""]
    for dimension in (*DIMENSIONS, "sentiment"):
        parts.append(f"<th>{html.escape(TITLES[dimension])}</th>")
    parts.append("<th>alerts</th></tr>")
    for brand in brands:
        rows = indices[indices["brand"] == brand]
        latest = rows["period_start"].max()
        parts.append(f"<tr><td><a href='#{_slug(brand)}'>{html.escape(brand)}</a><br>"
                     f"<span class='muted'>{html.escape(str(latest)[:10])}</span></td>")
        for dimension in (*DIMENSIONS, "sentiment"):
            series = rows[rows["dimension"] == dimension].sort_values("period_start")
            parts.append(_latest_cell(series))
        count = int((alerts["brand"] == brand).sum()) if len(alerts) else 0
        parts.append(f"<td class='num {'neg' if count else ''}'>{count}</td></tr>")
    parts.append("</table>")

    pngs = []
    for brand in brands:
        figure = brand_chart(brand, indices, alerts)
        data = _png(figure)
        plt.close(figure)
        png_path = png_dir / f"{_slug(brand)}.png"
        png_path.write_bytes(data)
        pngs.append(str(png_path))
        parts.append(f"<section id='{_slug(brand)}'><h2>{html.escape(brand)}</h2>")
        brand_alerts = alerts[alerts["brand"] == brand] if len(alerts) else alerts
        if len(brand_alerts):
            for alert in brand_alerts.sort_values("period_start").to_dict("records"):
                parts.append(_alert_html(alert))
        else:
            parts.append("<div class='ok'>No alert: no period fell clearly below its baseline.</div>")
        parts.append(f"<img alt='trust indices of {html.escape(brand)}' src='data:image/png;base64,"
                     f"{base64.b64encode(data).decode()}'></section>")
    parts.append("<p class='muted'>Indices count each post's calibrated model probabilities (expected counts); "
                 "chat floods and exact duplicate posts count once. Method: architecture.md, “Trust index”.</p>"
                 "</body></html>")
    output.write_text("".join(parts), encoding="utf-8")
    return {"html": str(output), "pngs": pngs}


def _latest_cell(series: pd.DataFrame) -> str:
    if not len(series):
        return "<td class='muted'>—</td>"
    last = series.iloc[-1]
    if last["volume"] < 1:
        return f"<td class='muted'>— <br><span class='muted'>no posts on this</span></td>"
    css = "neg" if last["hi"] < 0 else "pos" if last["lo"] > 0 else ""
    return (f"<td class='num {css}'>{last['index']:+.2f} {_arrow(series)}<br><span class='muted'>"
            f"[{last['lo']:+.2f}, {last['hi']:+.2f}] · ≈ {last['volume']:.0f} posts</span></td>")


def _alert_html(alert: dict) -> str:
    evidence = alert.get("evidence")
    evidence = json.loads(evidence) if isinstance(evidence, str) else (evidence or [])
    rows = "".join(
        f"<tr><td>{html.escape(str(e.get('created_at', ''))[:10])}</td><td>{html.escape(str(e.get('platform') or ''))}</td>"
        f"<td>{html.escape(str(e.get('label') or ''))}</td><td>{html.escape(str(e.get('text') or ''))}</td></tr>"
        for e in evidence)
    return (f"<div class='alert'><b>▼ {html.escape(TITLES.get(alert['dimension'], alert['dimension']))} dropped</b> "
            f"in the {html.escape(str(alert['period']))} of {html.escape(str(alert['period_start']))}: index "
            f"{alert['index']:+.2f} against a baseline of {alert['baseline']:+.2f} (drop {alert['drop']:.2f}, 95% interval "
            f"{alert['drop_lo']:.2f} to {alert['drop_hi']:.2f}; {alert['volume']:.0f} posts).<br>"
            f"<table class='evidence'><tr><th>date</th><th>platform</th><th>label</th><th>post</th></tr>{rows}</table></div>")
