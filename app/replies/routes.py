"""Pages behind the links in emails: answer a suggestion, unsubscribe, preferences."""

from flask import Blueprint

bp = Blueprint("replies", __name__)
