"""Flask command-line groups: `flask --app wsgi <group> <command>`."""

from flask import Flask


def register_cli(app: Flask) -> None:
    """Attach every command group to the app."""
