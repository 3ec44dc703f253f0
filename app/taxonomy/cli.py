"""`flask taxonomy seed`: load the shipped taxonomy into the database."""

import click
from flask.cli import AppGroup

from app.taxonomy.services import add_shipped_names, seed_taxonomy

taxonomy_cli = AppGroup("taxonomy", help="The expertise taxonomy.")


@taxonomy_cli.command("seed")
def seed() -> None:
    """Add the shipped concepts, and the shipped names of concepts, that the database lacks."""
    concepts = seed_taxonomy()
    click.echo(f"Added {concepts} concepts and {add_shipped_names()} other names.")
