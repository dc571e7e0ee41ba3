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
@click.option("--model", default=None,
              help="Model directory or hub id (default: models/ugc-trust-zh-small, in the repository).")
def score(inputs, output, fmt, config, model):
    """Score each post: trust (brand, content, interaction: absent/pos/neu/neg) and sentiment.

    Runs normalize → segment → brand linking → classify in length-sorted batches. Writes
    one row per input post, in input order, with `trust`, `trust_probs` (calibrated),
    `sentiment`, `sentiment_score` in [-1, 1], `brand`, `clauses`, `text_norm` and `flood`
    (members of a chat flood share one classification). JSONL, CSV or Parquet.
    """
    _run("score", inputs, output, fmt, config, model=model)


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
