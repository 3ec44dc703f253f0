"""Command-line tasks: `flask --app wsgi demo ...`."""

from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="The demo partnership.")
