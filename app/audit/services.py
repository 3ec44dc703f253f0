"""Recording coordinator decisions. The caller's service commits, so a decision and its audit
entry are saved together or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import AuditEvent, User, utcnow

# Every action the service records, with how the log's filter names it.
ACTIONS: dict[str, str] = {
    "approve": "Approved a suggestion",
    "reject": "Rejected a suggestion",
    "swap": "Swapped a suggestion's offer",
    "edit_note": "Edited a suggestion's note",
    "pair_by_hand": "Paired by hand",
    "add_person": "Added a person",
    "edit_person": "Edited a person",
    "role_change": "Changed a role",
    "deactivate": "Deactivated a person",
    "reactivate": "Reactivated a person",
    "clear_bounce": "Started emails again",
    "add_school": "Added a school",
    "edit_school": "Edited a school",
    "add_concept": "Added a concept",
    "edit_concept": "Edited a concept",
    "merge_concepts": "Merged concepts",
    "reload_taxonomy": "Reloaded the taxonomy",
    "edit_post": "Edited another school's post",
    "post_status": "Paused, closed or reopened another school's post",
    "delete_post": "Deleted another school's post",
    "import_schools": "Imported schools from CSV",
    "import_posts": "Imported posts from CSV",
    "export": "Downloaded an export",
    "delete_account": "Deleted their own account",
    "retention": "Anonymised or deleted old records",
}
PER_PAGE = 50
# How the log names whoever did it when nobody signed in did (a scheduled job).
SERVICE_ACTOR = "The service"


def record(
    actor: User | None,
    action: str,
    subject: db.Model | None,
    summary: str,
    *,
    reason: str = "",
    details: dict[str, object] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add an audit entry to the session (no commit): `summary` is one plain-English line."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=type(subject).__tablename__ if subject is not None else "",
        subject_id=getattr(subject, "id", None),
        summary=summary[:300],
        reason=" ".join((reason or "").split())[:500],
        details=details or {},
        created_at=now or utcnow(),
    )
    db.session.add(event)
    return event


def action_label(action: str) -> str:
    return ACTIONS.get(action, action.replace("_", " ").capitalize())


def actor_name(event: AuditEvent) -> str:
    """Who made the decision, as the log shows it (a deleted account reads "Deleted user")."""
    return event.actor.name if event.actor is not None else SERVICE_ACTOR


@dataclass
class AuditFilters:
    action: str = ""
    actor_id: int | None = None
    # Only what the scheduled jobs did (no person).
    by_service: bool = False
    subject_type: str = ""
    subject_id: int | None = None


def _conditions(filters: AuditFilters) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.actor_id is not None:
        conditions.append(AuditEvent.actor_id == filters.actor_id)
    if filters.by_service:
        conditions.append(AuditEvent.actor_id.is_(None))
    if filters.subject_type:
        conditions.append(AuditEvent.subject_type == filters.subject_type)
    if filters.subject_id is not None:
        conditions.append(AuditEvent.subject_id == filters.subject_id)
    return conditions


def list_events(filters: AuditFilters, *, page: int = 1, per_page: int = PER_PAGE) -> Pagination:
    """One page of entries, newest first, each with its actor joined in the same query."""
    query = (
        sa.select(AuditEvent)
        .where(*_conditions(filters))
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def actors() -> list[User]:
    """Everyone who has an entry in the log, by name: the choices of the person filter."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.id.in_(sa.select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)))
            )
            .order_by(sa.func.lower(User.name), User.id)
        )
    )


def events_about_or_by(user: User) -> list[AuditEvent]:
    """Entries the person made, and entries about them: part of their own data."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                sa.or_(
                    AuditEvent.actor_id == user.id,
                    sa.and_(AuditEvent.subject_type == "user", AuditEvent.subject_id == user.id),
                )
            )
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )


def forget_name_in_entries_about(user: User, name: str, replacement: str) -> None:
    """Replace a deleted person's name in the summaries of entries about them (no commit)."""
    if not name:
        return
    db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.subject_type == "user", AuditEvent.subject_id == user.id)
        .values(summary=sa.func.replace(AuditEvent.summary, name, replacement))
        .execution_options(synchronize_session=False)
    )
