"""Coordinator pages for people: invite, deactivate, change role."""

from flask import Blueprint

bp = Blueprint("people", __name__)
