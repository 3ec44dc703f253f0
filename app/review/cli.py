"""`flask --app wsgi export suggestions [--run ID] FILE.csv`: a run's suggestions as CSV."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from flask.cli import AppGroup

from app.review.services import count_suggestions, get_run, latest_run, suggestions_csv, week_label

export_cli = AppGroup("export", help="Export data as CSV files.")


@export_cli.command("suggestions")
@click.option("--run", "run_id", type=int, help="The match run's number (default: the latest).")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def suggestions(run_id: int | None, file: Path) -> None:
    """Write a match run's suggestions to FILE.csv."""
    run = get_run(run_id) if run_id is not None else latest_run()
    if run is None:
        message = (
            f"There is no match run {run_id}."
            if run_id is not None
            else "There are no match runs yet: run `flask --app wsgi jobs match` first."
        )
        click.echo(f"Nothing was exported. {message}", err=True)
        raise SystemExit(1)
    text = suggestions_csv(run)
    # Written beside the target and renamed, so a failure never leaves half a file.
    directory = file.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    count = count_suggestions(run)
    click.echo(
        f"Wrote {count} {'suggestion' if count == 1 else 'suggestions'} from run {run.id} "
        f"(week of {week_label(run.week_start)}) to {file}"
    )
