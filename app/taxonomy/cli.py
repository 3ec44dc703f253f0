"""`flask taxonomy seed`: load the shipped taxonomy into the database (also after upgrades)."""

import click
from flask.cli import AppGroup

from app.taxonomy.services import load_shipped_taxonomy

taxonomy_cli = AppGroup("taxonomy", help="The expertise taxonomy.")


@taxonomy_cli.command("seed")
def seed() -> None:
    """Add the shipped concepts, and the shipped names of concepts, that the database lacks,
    and move the names a release moved to another concept."""
    concepts, names, moved = load_shipped_taxonomy()
    click.echo(f"Added {concepts} concepts and {names} other names; "
               f"moved {moved} names to the concepts they now belong to.")
