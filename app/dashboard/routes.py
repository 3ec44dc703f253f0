"""The coordinators' dashboard and its printable termly report."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from app.dashboard import services
from app.dashboard.forms import TermForm
from app.security import coordinator_required

bp = Blueprint("dashboard", __name__)


def _page() -> tuple[services.Dashboard, TermForm]:
    term = services.chosen_term(request.args.get("term"))
    page = services.dashboard(term)
    form = TermForm.for_terms([(t.key, t.label) for t in page.terms], term.key)
    return page, form


@bp.get("/")
@coordinator_required
def index() -> ResponseReturnValue:
    page, term_form = _page()
    return render_template("dashboard/index.html", page=page, term_form=term_form)


@bp.get("/report")
@coordinator_required
def report() -> ResponseReturnValue:
    page, _ = _page()
    return render_template("dashboard/report.html", page=page)
