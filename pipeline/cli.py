"""`ugc-trust`: a thin command line over the Python API."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import UgcTrustError

FORMAT_HELP = "Output format; default from OUT's suffix (.jsonl, .csv, .parquet, optionally .gz)."


def _run(stage: str, inputs: tuple[str, ...], output: str, fmt: str | None, config: str | None,
         words: bool = False, model: str | None = None, progress: bool = True) -> None:
    from .config import load_config
    from .io import rejects_path
    from .pipeline import Pipeline

    pipeline = Pipeline(config=load_config(config), stage=stage, model=model, with_words=words)
    counts = pipeline.run_files(inputs, output, fmt, progress=progress and sys.stderr.isatty())
    click.echo(f"{counts.summary()}  → {output}", err=True)
    if counts.rejected:
        click.echo(f"rejects with file, line, field and reason → {rejects_path(output)}", err=True)
    if not counts.balanced():  # an invariant of the pipeline; never expected
        raise UgcTrustError(f"accounting error: {counts.summary()}")


def _common(function):
    function = click.option("--config", type=click.Path(dir_okay=False), default=None,
                            help="YAML file merged over configs/default.yaml.")(function)
    function = click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "tsv", "parquet"]), default=None,
                            help=FORMAT_HELP)(function)
    function = click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
                            help="Output file. Rejected input lines go to OUT.rejects.jsonl.")(function)
    function = click.argument("inputs", nargs=-1, required=True, type=click.Path())(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ugc-trust")
def cli() -> None:
    """Measure brand, content and interaction trust in Chinese user-generated content.

    Inputs are JSONL, CSV or Parquet files (plain or .gz; UTF-8, UTF-8 with BOM,
    GB18030/GBK or UTF-16) with at least `id` and `text` per record. Every input
    record ends up in OUT or in OUT.rejects.jsonl, and each run prints
    read = written + rejected.
    """


@cli.command()
@_common
def normalize(inputs, output, fmt, config):
    """Add `text_norm` (simplified, half-width, placeholders, capped repeats) to each record.

    What normalization takes out (URLs, @mentions, #topics#, emoticons, a //@ repost
    chain, boilerplate) is kept in the record's `norm` field.
    """
    _run("normalize", inputs, output, fmt, config)


@cli.command()
@_common
@click.option("--words/--no-words", default=True, show_default=True,
              help="Also add `words` (jieba with the project's slang and brand dictionary).")
def segment(inputs, output, fmt, config, words):
    """Add `clauses` (with `clause_spans` offsets) and `words`; collapse chat floods.

    Danmaku and livestream chat (kind danmaku / live_chat with a room_id) are grouped
    per room in time order; a flood of the same or near-same message (666, 扣1,
    哈哈哈 …) becomes one record with `flood.count` and `flood.member_ids`.
    """
    _run("segment", inputs, output, fmt, config, words=words)


@cli.command()
@_common
@click.option("--db", default=None, type=click.Path(dir_okay=False),
              help="Also upsert the scored posts into this DuckDB store (by platform and id).")
@click.option("--model", default=None,
              help="Model directory or hub id (default: models/ugc-trust-zh-small, in the repository).")
def score(inputs, output, fmt, config, db, model):
    """Score each post: trust (brand, content, interaction: absent/pos/neu/neg) and sentiment.

    Runs normalize → segment → brand linking → classify in length-sorted batches. Writes
    one row per input post, in input order, with `trust`, `trust_probs` (calibrated),
    `sentiment`, `sentiment_score` in [-1, 1], `brand`, `clauses`, `text_norm` and `flood`
    (members of a chat flood share one classification). JSONL, CSV or Parquet.
    """
    _run("score", inputs, output, fmt, config, model=model)
    if db:
        from .store import TrustStore, read_scored

        with TrustStore(db) as store:
            store.upsert_posts(read_scored([output]))
            click.echo(f"store {db}: {store.count()} posts", err=True)


def _posts(scored: tuple[str, ...], db: str | None):
    """Posts from scored files, upserted into the DuckDB store when --db is given."""
    from .errors import InputError
    from .store import TrustStore, read_scored

    if not scored and not db:
        raise InputError("give scored files (from `ugc-trust score`) and/or --db trust.duckdb")
    posts = read_scored(scored) if scored else None
    store = None
    if db:
        store = TrustStore(db)
        if posts is not None:
            store.upsert_posts(posts)
        posts = store.posts()
    return posts, store


def _scored_options(function):
    function = click.option("--db", default=None, type=click.Path(dir_okay=False),
                            help="DuckDB store: scored inputs are upserted by (platform, id); results saved as tables.")(function)
    function = click.option("--by-platform", is_flag=True, help="Separate indices per platform.")(function)
    function = click.option("--period", type=click.Choice(["day", "week", "month"]), default=None,
                            help="Period of the indices (default from configs/default.yaml: week).")(function)
    function = click.option("--config", type=click.Path(dir_okay=False), default=None,
                            help="YAML file merged over configs/default.yaml.")(function)
    function = click.argument("scored", nargs=-1, type=click.Path())(function)
    return function


@cli.command()
@_scored_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="indices as .csv, .parquet or .jsonl")
def aggregate(scored, period, by_platform, db, config, output):
    """Per-brand trust indices per dimension and period, with 95% intervals.

    SCORED are outputs of `ugc-trust score` (JSONL, CSV, Parquet) and/or the --db store.
    Columns: brand, platform, dimension, period, period_start, index, lo, hi, volume,
    n_posts, coverage, pos, neu, neg.
    """
    from .aggregate import aggregate_posts
    from .config import load_config

    posts, store = _posts(scored, db)
    table = aggregate_posts(posts, period, by_platform, load_config(config))
    _write_table(table, output)
    if store is not None:
        store.replace_table("indices", table)
        store.close()
    click.echo(f"{len(table)} index rows for {table['brand'].nunique()} brands from {len(posts)} posts → {output}", err=True)


@cli.command()
@_scored_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="alerts as .jsonl (or .csv)")
def alerts(scored, period, by_platform, db, config, output):
    """Alerts where a period's trust index fell below its trailing baseline.

    Margin, posterior probability, minimum volume and baseline length are in configs/ (alerts:).
    Each alert names brand, dimension, period, drop with its interval, volume and the 5
    posts that contributed most to the drop.
    """
    from .alerts import find_alerts
    from .config import load_config

    posts, store = _posts(scored, db)
    found = find_alerts(posts, period, by_platform, load_config(config))
    _write_table(found, output)
    if store is not None:
        store.replace_table("alerts", found)
        store.close()
    click.echo(f"{len(found)} alerts from {len(posts)} posts → {output}", err=True)


@cli.command()
@_scored_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="the HTML report")
@click.option("--png-dir", default=None, type=click.Path(file_okay=False), help="where the PNG charts go (default: next to the report)")
def report(scored, period, by_platform, db, config, output, png_dir):
    """A self-contained HTML report (and PNG charts) of indices, intervals, volume and alerts per brand."""
    from .alerts import find_alerts
    from .aggregate import aggregate_posts
    from .config import load_config
    from .report import write_report

    settings = load_config(config)
    posts, store = _posts(scored, db)
    table = aggregate_posts(posts, period, by_platform, settings)
    found = find_alerts(posts, period, by_platform, settings, indices=table)
    written = write_report(table, found, output, png_dir)
    if store is not None:
        store.close()
    click.echo(f"report of {table['brand'].nunique()} brands, {len(found)} alerts → {written['html']} "
               f"(+ {len(written['pngs'])} PNG charts)", err=True)


@cli.command()
@click.option("--config", "batch_config", default="configs/batch.yaml", show_default=True,
              type=click.Path(dir_okay=False), help="Batch settings (see configs/batch.example.yaml).")
@click.option("--once", is_flag=True, help="Run once and exit (the default when --every is not given).")
@click.option("--every", default=None, help="Run in a loop, e.g. --every 1h (s, m, h, d).")
@click.option("--inbox", default=None, type=click.Path(file_okay=False), help="Override the inbox folder.")
@click.option("--db", default=None, type=click.Path(dir_okay=False), help="Override the DuckDB store.")
@click.option("--model", default=None, help="Override the model directory or hub id.")
def batch(batch_config, once, every, inbox, db, model):
    """Process new crawler exports in the inbox: score, store, indices, alerts, report.

    Only new or changed files (by content hash) are read. Each file's posts are upserted
    by (platform, id) and the file is marked done in one transaction, so a killed run
    loses and double-counts nothing. A second concurrent run exits with a message.
    """
    import time as _time

    from .batch import BatchSettings, parse_every, run_once

    settings = BatchSettings.load(batch_config if Path(batch_config).exists() else None,
                                  inbox=inbox, db=db, model=model)
    log = lambda message: click.echo(message, err=True)  # noqa: E731
    if every and not once:
        interval = parse_every(every)
        while True:
            try:
                run_once(settings, log)
            except UgcTrustError as error:
                click.echo(f"ugc-trust: batch run failed: {error}", err=True)
            _time.sleep(interval)
    run_once(settings, log)


def _write_table(table, output: str) -> None:
    from .errors import OutputError

    path = Path(output)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".parquet":
            table.to_parquet(path, index=False)
        elif path.suffix in (".jsonl", ".json"):
            table.to_json(path, orient="records", lines=True, force_ascii=False, date_format="iso")
        else:
            table.to_csv(path, index=False)
    except OSError as error:
        raise OutputError(f"{path}: cannot write ({error.strerror or error})") from error


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except UgcTrustError as error:
        click.echo(f"ugc-trust: error: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
