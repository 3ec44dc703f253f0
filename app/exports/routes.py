"""Routes of the exports blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("exports", __name__)
