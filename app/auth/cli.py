"""Command-line tasks: `flask --app wsgi users ...`."""

from flask.cli import AppGroup

users_cli = AppGroup("users", help="People accounts.")
