"""Routes of the partnerships blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("partnerships", __name__)
