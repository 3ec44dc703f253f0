"""Routes of the audit blueprint: the coordinators' audit log."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.audit import services
from app.audit.forms import SERVICE, AuditFilterForm
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
        pagination=_pagination(events.page, events.pages, args),
        action_label=services.action_label,
        actor_name=services.actor_name,
    )


def _pagination(page: int, pages: int, args: dict[str, str]) -> dict[str, object] | None:
    """Links for the GOV.UK pagination component (None when everything fits on one page)."""
    if pages <= 1:
        return None

    def link(number: int) -> str:
        return url_for("audit.index", page=number, **args)

    numbers: list[int | None] = []
    for number in range(1, pages + 1):
        # First, last, and the current page with its neighbours; gaps become an ellipsis.
        if number in (1, pages) or abs(number - page) <= 1:
            numbers.append(number)
        elif numbers and numbers[-1] is not None:
            numbers.append(None)
    return {
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
        "items": [
            {"number": n, "href": link(n) if n else None, "current": n == page} for n in numbers
        ],
    }
