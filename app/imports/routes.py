"""Coordinator pages for importing schools and posts from CSV."""

from flask import Blueprint

bp = Blueprint("imports", __name__)
