"""`flask taxonomy seed`: load the shipped taxonomy into the database."""

import click
from flask.cli import AppGroup

from app.taxonomy.services import seed_taxonomy

taxonomy_cli = AppGroup("taxonomy", help="The expertise taxonomy.")


@taxonomy_cli.command("seed")
def seed() -> None:
    """Add the shipped concepts and aliases that the database lacks."""
    click.echo(f"Added {seed_taxonomy()} concepts.")
