"""Coordinator review of the matcher's suggestions."""

from flask import Blueprint

bp = Blueprint("review", __name__)
