"""Routes of the audit blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit", __name__)
