"""Recording coordinator decisions. The caller's service commits, so a decision and its audit
entry are saved together or not at all."""

from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.models import AuditEvent, User, utcnow


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
        reason=reason[:500],
        details=details or {},
        created_at=now or utcnow(),
    )
    db.session.add(event)
    return event
