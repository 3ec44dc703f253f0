"""Routes of the dashboard blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
