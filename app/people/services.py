"""People in the partnership: adding, inviting, listing, and changing their role or access."""

from __future__ import annotations

import enum

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.auth.services import email_problem, hash_password, normalise_email, send_invitation
from app.extensions import db
from app.mail import DeliveryResult
from app.models import Role, School, User, utcnow

ROLE_LABELS = {Role.LEADER: "School leader", Role.COORDINATOR: "Coordinator"}
PEOPLE_PER_PAGE = 50


class PersonError(ValueError):
    """A change the rules refuse; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PersonStatus(enum.StrEnum):
    ACTIVE = "active"
    INVITED = "invited"
    NOT_INVITED = "not_invited"
    DEACTIVATED = "deactivated"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour for this status."""
        return _STATUS_TAGS[self]

    @property
    def condition(self) -> ColumnElement[bool]:
        """The same rule as person_status(), as a WHERE clause."""
        if self is PersonStatus.DEACTIVATED:
            return User.active.is_(False)
        if self is PersonStatus.ACTIVE:
            return and_(User.active.is_(True), User.password_hash.is_not(None))
        invited = (
            User.invited_at.is_not(None)
            if self is PersonStatus.INVITED
            else (User.invited_at.is_(None))
        )
        return and_(User.active.is_(True), User.password_hash.is_(None), invited)


_STATUS_LABELS = {
    PersonStatus.ACTIVE: "Active",
    PersonStatus.INVITED: "Invited",
    PersonStatus.NOT_INVITED: "Not invited yet",
    PersonStatus.DEACTIVATED: "Deactivated",
}
_STATUS_TAGS = {
    PersonStatus.ACTIVE: "govuk-tag--green",
    PersonStatus.INVITED: "govuk-tag--blue",
    PersonStatus.NOT_INVITED: "govuk-tag--yellow",
    PersonStatus.DEACTIVATED: "govuk-tag--grey",
}


def person_status(user: User) -> PersonStatus:
    if not user.active:
        return PersonStatus.DEACTIVATED
    if user.password_hash is not None:
        return PersonStatus.ACTIVE
    return PersonStatus.INVITED if user.invited_at is not None else PersonStatus.NOT_INVITED


# --- reading -------------------------------------------------------------------------------


def list_people(
    *,
    search: str = "",
    school_id: int | None = None,
    status: PersonStatus | None = None,
    page: int = 1,
    per_page: int | None = None,
) -> Pagination:
    """One page of people, by name, with their schools loaded (two queries whatever the size)."""
    query = select(User).options(joinedload(User.school)).order_by(func.lower(User.name), User.id)
    search = search.strip()
    if search:
        query = query.where(
            or_(
                func.lower(User.name).contains(search.lower(), autoescape=True),
                User.email.contains(normalise_email(search), autoescape=True),
            )
        )
    if school_id is not None:
        query = query.where(User.school_id == school_id)
    if status is not None:
        query = query.where(status.condition)
    per_page = per_page or int(current_app.config.get("PEOPLE_PER_PAGE", PEOPLE_PER_PAGE))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def all_schools() -> list[School]:
    return list(db.session.scalars(select(School).order_by(School.name)))


def school_by_name(name: str) -> School | None:
    """The school with this name, ignoring case and surrounding spaces."""
    return db.session.scalar(select(School).where(func.lower(School.name) == name.strip().lower()))


# --- adding people -------------------------------------------------------------------------


def create_person(
    *,
    name: str,
    email: str,
    role: Role = Role.LEADER,
    school: School | None = None,
    job_title: str = "",
    password: str | None = None,
    invited: bool = False,
    commit: bool = True,
    by: User | None = None,
) -> User:
    """Add a person without emailing them. Raises PersonError for a rule the details break.

    `password` is hashed as given (callers validate it with password_problem first); without
    one the person cannot sign in until they accept an invitation. With commit=False the row
    is only flushed, so an import can add many people in one transaction. A coordinator
    adding someone (`by`) is kept in the audit log.
    """
    name = name.strip()
    if not name:
        raise PersonError("Enter their full name", "name")
    problem = email_problem(email)
    if problem:
        raise PersonError(problem, "email")
    email = normalise_email(email)
    if role == Role.LEADER and school is None:
        raise PersonError("Choose the school they lead in", "school")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise PersonError("There is already a person with this email address", "email")
    user = User(
        name=name,
        email=email,
        role=role,
        school=school,
        job_title=job_title.strip(),
        password_hash=hash_password(password) if password else None,
        invited_at=utcnow() if invited else None,
        active=True,
    )
    db.session.add(user)
    try:
        if by is not None:
            db.session.flush()  # the new person's id, for the audit entry
            where = f" at {school.name}" if school is not None else ""
            record(
                by,
                "add_person",
                user,
                f"{'Invited' if invited else 'Added'} {user.name} as a "
                f"{ROLE_LABELS[role].lower()}{where}",
                details={"role": role.value, "school": school.id if school else None},
            )
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    except IntegrityError:
        # Someone added the same address a moment ago.
        db.session.rollback()
        raise PersonError("There is already a person with this email address", "email") from None
    return user


def invite_person(
    *,
    name: str,
    email: str,
    role: Role = Role.LEADER,
    school: School | None = None,
    job_title: str = "",
    invited_by: User | None = None,
) -> tuple[User, DeliveryResult]:
    """Add a person and email them their invitation. Commits.

    The person is kept even if the email fails; the result says so, and the invitation can be
    sent again from their page.
    """
    user = create_person(
        name=name,
        email=email,
        role=role,
        school=school,
        job_title=job_title,
        invited=True,
        by=invited_by,
    )
    return user, send_invitation(user, invited_by=invited_by)


# --- changing people -----------------------------------------------------------------------


def update_person(
    user: User,
    *,
    name: str,
    job_title: str,
    school: School | None,
    acting: User | None = None,
) -> None:
    """Change a person's name, job title and school. Commits; `acting` is kept in the log."""
    name = name.strip()
    if not name:
        raise PersonError("Enter their full name", "name")
    if user.role == Role.LEADER and school is None:
        raise PersonError("Choose the school they lead in", "school")
    before = {"name": user.name, "job_title": user.job_title, "school": user.school_id}
    user.name = name
    user.job_title = job_title.strip()
    user.school = school
    after = {"name": name, "job_title": user.job_title, "school": school.id if school else None}
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if acting is not None and changed:
        words = {"name": "name", "job_title": "job title", "school": "school"}
        record(
            acting,
            "edit_person",
            user,
            f"Changed {user.name}'s {' and '.join(words[key] for key in changed)}",
            details={"changes": changed},
        )
    db.session.commit()


def set_role(user: User, role: Role, *, acting: User, reason: str = "") -> bool:
    """Make a person a leader or a coordinator; False if nothing changed. Commits."""
    if user.role == role:
        return False
    if user.id == acting.id:
        raise PersonError("You cannot change your own role", "role")
    if role == Role.LEADER and user.school_id is None:
        raise PersonError(f"Add {user.name}'s school before making them a school leader", "role")
    before = user.role
    user.role = role
    record(
        acting,
        "role_change",
        user,
        f"Changed {user.name}'s role from {ROLE_LABELS[before].lower()} to "
        f"{ROLE_LABELS[role].lower()}",
        reason=reason,
        details={"from": before.value, "to": role.value},
    )
    db.session.commit()
    return True


def set_active(user: User, active: bool, *, acting: User, reason: str = "") -> bool:
    """Deactivate (ends their sessions and sign-ins) or reactivate a person. Commits.

    False if nothing changed.
    """
    if user.active == active:
        return False
    if user.id == acting.id:
        raise PersonError("You cannot deactivate your own account")
    if active and user.deleted_at is not None:
        raise PersonError("This person deleted their account, so it cannot be reactivated")
    user.active = active
    record(
        acting,
        "reactivate" if active else "deactivate",
        user,
        f"{'Reactivated' if active else 'Deactivated'} {user.name}",
        reason=reason,
    )
    db.session.commit()
    return True


def clear_bounce(user: User, *, acting: User | None = None) -> bool:
    """Let mail reach the person again after their address was fixed. Commits.

    False if their address was not marked as bouncing.
    """
    if user.email_bouncing_since is None:
        return False
    user.email_bouncing_since = None
    user.email_bounce_reason = ""
    if acting is not None:
        # Not the bounce text: mail servers quote the address in it.
        record(acting, "clear_bounce", user, f"Started sending emails to {user.name} again")
    db.session.commit()
    return True
