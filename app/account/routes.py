"""Routes of the account blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("account", __name__)
