"""Template globals and filters: presentation helpers only, no business rules."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g

from app.models import Role, User


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_globals() -> dict[str, object]:
        return {
            "partnership_name": current_app.config["PARTNERSHIP_NAME"],
            "current_user": g.get("user"),
            "nav_items": nav_items(g.get("user")),
        }

    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["nice_date"] = nice_date


def nav_items(user: User | None) -> list[tuple[str, str]]:
    """Menu entries (endpoint, label) for this person."""
    if user is None:
        return []
    items = [("posts.browse", "Browse"), ("posts.new", "Post an offer or request")]
    if user.school_id is not None:
        items.insert(1, ("posts.my_school", "My school"))
    if user.school_id is not None or user.role == Role.COORDINATOR:
        items.append(("partnerships.index", "Partnerships"))
    if user.role == Role.COORDINATOR:
        items.append(("admin.index", "Coordinator"))
        items.append(("dashboard.index", "Dashboard"))
    return items


def local_datetime(value: datetime | None) -> str:
    """'23 November 2026, 9:05am' in the partnership's timezone."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(current_app.config["PARTNERSHIP_TIMEZONE"]))
    hour = local.strftime("%I").lstrip("0")
    return f"{local.day} {local:%B %Y}, {hour}:{local:%M}{local.strftime('%p').lower()}"


def nice_date(value: date | None) -> str:
    """'23 November 2026' (the GOV.UK date style)."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"
