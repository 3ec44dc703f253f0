"""Command-line tasks: `flask --app wsgi import schools|posts FILE.csv`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.imports.services import ImportResult, import_posts, import_schools

import_cli = AppGroup("import", help="Import schools and posts from CSV.")

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _report(path: Path, result: ImportResult) -> None:
    """Print the outcome; on problems print FILE:LINE: reason to stderr and exit with 1."""
    if not result.ok:
        for line, message in result.errors:
            where = f"{path}:{line}" if line else f"{path}"
            click.echo(f"{where}: {message}", err=True)
        count = len(result.errors)
        click.echo(
            f"Nothing was imported: {count} {'problem' if count == 1 else 'problems'}.", err=True
        )
        click.get_current_context().exit(1)
    click.echo(result.summary())
    for problem in result.invitation_problems:
        click.echo(problem, err=True)


@import_cli.command("schools")
@click.argument("file", type=_FILE)
@click.option("--invite", is_flag=True, help="Email an invitation to each new school contact.")
def schools(file: Path, invite: bool) -> None:
    """Add or update schools (and their contacts) from a CSV file."""
    _report(file, import_schools(file.read_bytes(), invite=invite))


@import_cli.command("posts")
@click.argument("file", type=_FILE)
def posts(file: Path) -> None:
    """Add or update offers and requests from a CSV file."""
    _report(file, import_posts(file.read_bytes()))
