"""Command-line tasks: `flask --app wsgi demo load [--if-empty]` and `demo sign-ins`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.demo.services import DEMO_PASSWORD, DemoError, demo_sign_ins, load_demo

demo_cli = AppGroup("demo", help="The demo partnership.")

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database has any school.")
@click.option("--force", is_flag=True, help="Load even with the production settings.")
@click.option("--data-dir", type=_DIR, default=None, help="Folder with schools.json, posts.json.")
@click.option(
    "--history-weeks",
    type=click.IntRange(0, 52),
    default=30,
    show_default=True,
    help="On a fresh load, replay this many weeks of matching, answers and partnerships.",
)
def load(if_empty: bool, force: bool, data_dir: Path | None, history_weeks: int) -> None:
    """Load the demo schools, people and posts (only what is missing), with history."""
    try:
        summary = load_demo(
            if_empty=if_empty, data_dir=data_dir, force=force, history_weeks=history_weeks
        )
    except DemoError as exc:
        click.echo(str(exc), err=True)
        click.get_current_context().exit(1)
    click.echo(summary.text())


@demo_cli.command("sign-ins")
@click.option("--data-dir", type=_DIR, default=None, help="Folder with schools.json.")
def sign_ins(data_dir: Path | None) -> None:
    """Print demo accounts to sign in with."""
    people = demo_sign_ins(data_dir)
    if not people:
        click.echo("No demo accounts found. Load them with: flask --app wsgi demo load")
        return
    click.echo("Demo sign-ins (all share one password):")
    for person in people:
        click.echo(f"  {person.who}: {person.name} <{person.email}>")
    click.echo(f"  Password: {DEMO_PASSWORD}")
