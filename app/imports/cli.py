"""Command-line tasks: `flask --app wsgi import ...`."""

from flask.cli import AppGroup

import_cli = AppGroup("import", help="Import schools and posts from CSV.")
