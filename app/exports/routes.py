"""Routes of the exports blueprint: the list of exports and each one's CSV download."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, render_template
from flask.typing import ResponseReturnValue

from app.exports import services
from app.security import coordinator_required

bp = Blueprint("exports", __name__)


@bp.get("/")
@coordinator_required
def index() -> ResponseReturnValue:
    return render_template("exports/index.html", exports=list(services.EXPORTS.values()))


@bp.get("/<name>.csv")
@coordinator_required
def download(name: str) -> ResponseReturnValue:
    export = services.EXPORTS.get(name) or abort(404)
    file = services.build_export(export, g.user)
    return Response(
        file.text.encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )
