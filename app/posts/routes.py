"""Offers and requests: browse, post, edit, and My school."""

from flask import Blueprint
from flask.typing import ResponseReturnValue

from app.security import login_required

bp = Blueprint("posts", __name__)


@bp.get("/posts")
@login_required
def browse() -> ResponseReturnValue:
    return "browse"


@bp.get("/my-school")
@login_required
def my_school() -> ResponseReturnValue:
    return "my school"


@bp.get("/posts/new")
@login_required
def new() -> ResponseReturnValue:
    return "new"
