"""Routes of the audit blueprint: the coordinators' audit log."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.audit import services
from app.audit.forms import SERVICE, AuditFilterForm
from app.pagination import pagination
from app.security import coordinator_required

bp = Blueprint("audit", __name__)


@bp.get("/")
@coordinator_required
def index() -> ResponseReturnValue:
    form = AuditFilterForm(formdata=request.args)
    form.set_people(services.actors())
    person = form.person_value()
    filters = services.AuditFilters(
        action=form.action_value(),
        actor_id=person if isinstance(person, int) else None,
        by_service=person == SERVICE,
    )
    per_page = int(current_app.config.get("AUDIT_PER_PAGE", services.PER_PAGE))
    events = services.list_events(
        filters, page=max(1, request.args.get("page", 1, type=int)), per_page=per_page
    )
    # Keep the filters in the page links.
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "audit/index.html",
        form=form,
        events=events,
        filtered=bool(args),
        pagination=pagination(
            events.page, events.pages, lambda n: url_for("audit.index", page=n, **args)
        ),
        action_label=services.action_label,
        actor_name=services.actor_name,
    )
