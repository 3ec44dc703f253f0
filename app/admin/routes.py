"""Coordinator pages: schools, people, taxonomy, imports, outbox."""

from flask import Blueprint
from flask.typing import ResponseReturnValue

from app.security import coordinator_required

bp = Blueprint("admin", __name__)


@bp.get("/")
@coordinator_required
def index() -> ResponseReturnValue:
    return "coordinator"
