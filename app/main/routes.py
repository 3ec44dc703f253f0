"""Home page."""

from flask import Blueprint, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    if g.user is not None:
        return redirect(url_for("posts.browse"))
    return render_template("main/index.html")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return {"status": "ok"}
