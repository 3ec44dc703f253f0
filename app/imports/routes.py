"""Coordinator pages for importing schools and posts from CSV."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from app.imports import services
from app.imports.forms import ImportForm
from app.security import coordinator_required, redisplay_on_csrf_error

bp = Blueprint("imports", __name__)

# The error summary lists this many problems, then "and N more".
MAX_LISTED_ERRORS = 50


@bp.route("/", methods=["GET", "POST"])
@coordinator_required
@redisplay_on_csrf_error
def index() -> ResponseReturnValue:
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        if form.kind.data == "posts":
            result = services.import_posts(data, by=g.user)
        else:
            result = services.import_schools(data, invite=bool(form.invite.data),
                                             by=g.user)
        if result.ok:
            flash(result.summary(), "success")
            for problem in result.invitation_problems:
                flash(problem, "info")
            return redirect(url_for("imports.index"))
        count = len(result.errors)
        # The field shows the first message; the error summary lists every line.
        form.file.errors = [
            f"Nothing was imported: fix the {count} {'problem' if count == 1 else 'problems'} "
            "in the file and upload it again",
            *services.format_errors(result.errors, MAX_LISTED_ERRORS),
        ]
    return render_template(
        "imports/index.html",
        form=form,
        school_columns=services.SCHOOL_COLUMNS,
        school_example=services.SCHOOL_EXAMPLE.splitlines(),
        post_columns=services.POST_COLUMNS,
        post_example=services.POST_EXAMPLE.splitlines(),
    )
