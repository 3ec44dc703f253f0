"""Flask command-line groups: `flask --app wsgi <group> <command>`."""

from flask import Flask


def register_cli(app: Flask) -> None:
    """Attach every command group to the app."""
    from app.auth.cli import users_cli
    from app.demo.cli import demo_cli
    from app.imports.cli import import_cli
    from app.review.cli import export_cli
    from app.taxonomy.cli import taxonomy_cli
    from jobs.cli import jobs_cli

    for group in (users_cli, import_cli, demo_cli, taxonomy_cli, jobs_cli, export_cli):
        app.cli.add_command(group)
