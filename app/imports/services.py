"""CSV import of schools and posts, shared by the web page and the command line.

Every import validates the whole file first and reports each bad row by its physical line
number. Only a file with no problems is written, in one transaction; re-importing the same file
changes nothing (schools are keyed by URN, else by exact name; posts by external_id).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from app.admin.services import (
    normalise_postcode,
    parse_coordinates,
    parse_descriptors,
    parse_phase,
    parse_pupils,
    parse_urn,
)
from app.audit.services import record
from app.auth.services import email_problem, normalise_email, send_invitation
from app.extensions import db
from app.models import Post, PostFormat, PostKind, PostStatus, Role, School, Tag, User
from app.taxonomy.services import resolve_tags, tag_lookup

# A generous limit for ~70 schools or a few thousand posts; stops a wrong file being parsed.
MAX_FILE_BYTES = 5 * 1024 * 1024
TITLE_MAX = 150  # Post.title is String(150)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str


SCHOOL_COLUMNS: tuple[Column, ...] = (
    Column("name", True, "The school's full name. Required."),
    Column("urn", False, "The 6-digit Unique Reference Number. Used to find the school again."),
    Column("town", False, "Town or village."),
    Column("postcode", False, "A UK postcode, like LN1 1AA."),
    Column("latitude", False, "Decimal degrees, like 53.2307. Give both or neither."),
    Column("longitude", False, "Decimal degrees, like -0.5406."),
    Column(
        "phase", False, "nursery, infant, junior, primary, first, middle, all-through or special."
    ),
    Column("pupils", False, "Number of pupils, a whole number."),
    Column("descriptors", False, "Separated by ';', like rural; church school."),
    Column("contact_name", False, "The school's leader; needed with contact_email."),
    Column("contact_email", False, "Creates the leader's account if it does not exist."),
)
SCHOOL_EXAMPLE = (
    "name,urn,town,postcode,latitude,longitude,phase,pupils,descriptors,contact_name,contact_email\n"
    "Brookfield Primary School,120001,Lincoln,LN1 1AA,53.2307,-0.5406,primary,210,"
    "urban; academy,Sam Patel,head@brookfield.example.org"
)

POST_COLUMNS: tuple[Column, ...] = (
    Column("external_id", True, "Your own unique reference for the post. Required."),
    Column("school", True, "The school's URN or its exact name. Required."),
    Column("kind", True, "offer or request. Required."),
    Column("title", True, f"Up to {TITLE_MAX} characters. Required."),
    Column("description", False, "What is offered or needed."),
    Column("tags", False, "Separated by ';', like phonics; early reading."),
    Column("format", False, "in_person, remote or either (the default)."),
    Column("capacity", False, "Offers: how many schools, 1 or more. Requests: leave empty."),
    Column("time_commitment", False, "Like “Two twilight sessions”."),
)
POST_EXAMPLE = (
    "external_id,school,kind,title,description,tags,format,capacity\n"
    "BRK-2026-01,120001,offer,Maths mastery lesson visits,"
    "Watch a mastery lesson and talk it through.,maths mastery; CPD,in_person,2"
)


@dataclass
class ImportResult:
    """What an import did, or why it did nothing."""

    kind: str
    ok: bool = True
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    people_created: int = 0
    # New leader accounts, to be sent an invitation.
    invites: list[User] = field(default_factory=list)
    invitations_sent: int = 0
    invitation_problems: list[str] = field(default_factory=list)

    def counts(self) -> str:
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}"

    def summary(self) -> str:
        """One sentence for a flash message or the terminal."""
        noun = "Schools" if self.kind == "schools" else "Posts"
        text = f"{noun}: {self.counts()}."
        if self.people_created:
            people = "account" if self.people_created == 1 else "accounts"
            text += f" {self.people_created} leader {people} added."
        if self.invitations_sent:
            text += f" {self.invitations_sent} invitations sent."
        return text


@dataclass
class _Row:
    line: int
    values: dict[str, str]


class _Problems:
    """Collects (line, message) pairs."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.items.append((line, message))

    def check(self, line: int, parse: Callable[..., Any], *args: Any) -> Any:
        """Run a parser; on ValueError record its message and return None."""
        try:
            return parse(*args)
        except ValueError as exc:
            self.add(line, str(exc))
            return None


def _decode(data: bytes | str) -> tuple[str | None, tuple[int, str] | None]:
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), None
    if len(data) > MAX_FILE_BYTES:
        return None, (0, f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
    # Excel's plain "CSV" format on Windows saves Windows-1252, not UTF-8.
    try:
        return data.decode("cp1252"), None
    except UnicodeDecodeError:
        return None, (
            bad_line,
            "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)”",
        )


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def read_rows(
    data: bytes | str, columns: Sequence[Column]
) -> tuple[list[str], list[_Row], list[tuple[int, str]]]:
    """Parse a CSV file: (present column names, rows, problems). Line 1 is the header."""
    text, problem = _decode(data)
    if text is None:
        return [], [], [problem] if problem else []
    problems = _Problems()
    allowed = [c.name for c in columns]
    allowed_text = ", ".join(allowed)
    reader = csv.reader(io.StringIO(text, newline=""))

    header: list[str] | None = None
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                header = cells
                break
    except csv.Error as exc:
        return [], [], [(reader.line_num, f"The file cannot be read as CSV: {exc}")]
    if header is None:
        return [], [], [(1, "The file is empty. The first line must be the column names")]
    header_line = reader.line_num

    keys = [_header_key(h) for h in header]
    for number, key in enumerate(keys, start=1):
        if not key:
            problems.add(header_line, f"Column {number} has no name. Allowed: {allowed_text}")
    named = [k for k in keys if k]
    duplicates = sorted({k for k in named if named.count(k) > 1})
    if duplicates:
        problems.add(header_line, f"Column repeated: {', '.join(duplicates)}")
    unknown = [h.strip() for h, k in zip(header, keys, strict=True) if k and k not in allowed]
    if unknown:
        problems.add(
            header_line,
            f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"Allowed columns: {allowed_text}",
        )
    missing = [c.name for c in columns if c.required and c.name not in keys]
    if missing:
        problems.add(
            header_line,
            f"Missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
            f"Allowed columns: {allowed_text}",
        )
    if problems.items:
        return [], [], problems.items

    rows: list[_Row] = []
    previous_end = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add(previous_end + 1, f"cannot be read as CSV: {exc}")
            break
        # A row starts on the line after the previous row ended (cells may span lines).
        start, previous_end = previous_end + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(keys) and any(c.strip() for c in cells[len(keys) :]):
            problems.add(start, f"has {len(cells)} values but the file has {len(keys)} columns")
            continue
        values = {k: (cells[i].strip() if i < len(cells) else "") for i, k in enumerate(keys)}
        rows.append(_Row(start, values))
    return keys, rows, problems.items


def _check_email(value: str) -> str:
    problem = email_problem(value)
    if problem:
        raise ValueError(f"contact_email “{value}” is not a valid email address")
    return normalise_email(value)


def _commit(result: ImportResult, by: User | None) -> ImportResult:
    """Save the import and, if it changed anything, its audit entry (one commit)."""
    if result.created or result.updated or result.people_created:
        where = "" if by is not None else " on the command line"
        record(by, f"import_{result.kind}", None, f"Imported {result.kind} from a CSV "
               f"file{where}: {result.counts()}",
               details={"created": result.created, "updated": result.updated,
                        "unchanged": result.unchanged, "people_created": result.people_created})
    try:
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        current_app.logger.exception("CSV import failed")
        result.ok = False
        result.errors = [(0, f"The database refused the import, so nothing was saved ({exc.orig})")]
        result.created = result.updated = result.unchanged = result.people_created = 0
        result.invites = []
    return result


def _failed(kind: str, errors: list[tuple[int, str]]) -> ImportResult:
    return ImportResult(kind=kind, ok=False, errors=sorted(errors, key=lambda e: e[0]))


# ----- Schools ---------------------------------------------------------------------------------


@dataclass
class _SchoolPlan:
    line: int
    school: School | None
    fields: dict[str, Any]
    contact: tuple[str, str] | None  # (name, email) of a leader account to create


def import_schools(data: bytes | str, invite: bool = False, *,
                   by: User | None = None) -> ImportResult:
    """Validate and import a schools CSV; with `invite`, email new leaders after the commit.

    `by` is the coordinator who uploaded it (None: the command line), for the audit log."""
    columns, rows, errors = read_rows(data, SCHOOL_COLUMNS)
    if errors:
        return _failed("schools", errors)
    present = set(columns)
    problems = _Problems()

    schools = db.session.scalars(sa.select(School)).all()
    by_urn = {s.urn: s for s in schools if s.urn}
    by_name = {s.name: s for s in schools}
    emails = [normalise_email(r.values.get("contact_email", "")) for r in rows]
    users_by_email = {
        u.email: u
        for u in db.session.scalars(
            sa.select(User).options(selectinload(User.school)).where(User.email.in_(emails))
        )
    }

    seen_urn: dict[str, int] = {}
    seen_name: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    plans: list[_SchoolPlan] = []
    for row in rows:
        v, line = row.values, row.line
        before = len(problems.items)
        fields: dict[str, Any] = {}

        name = " ".join(v["name"].split())
        if not name:
            problems.add(line, "name is missing")
        elif len(name) > 200:
            problems.add(line, "name must be 200 characters or fewer")
        elif name in seen_name:
            problems.add(line, f"the school “{name}” is also on line {seen_name[name]}")
        else:
            seen_name[name] = line
        fields["name"] = name

        urn = None
        if "urn" in present:
            urn = problems.check(line, parse_urn, v["urn"])
            if urn and urn in seen_urn:
                problems.add(line, f"URN {urn} is also on line {seen_urn[urn]}")
            elif urn:
                seen_urn[urn] = line
            fields["urn"] = urn
        if "town" in present:
            if len(v["town"]) > 100:
                problems.add(line, "town must be 100 characters or fewer")
            fields["town"] = v["town"]
        if "postcode" in present:
            fields["postcode"] = problems.check(line, normalise_postcode, v["postcode"])
        if "latitude" in present or "longitude" in present:
            coords = problems.check(
                line, parse_coordinates, v.get("latitude", ""), v.get("longitude", "")
            )
            if coords is not None:
                fields["latitude"], fields["longitude"] = coords
        if "phase" in present:
            fields["phase"] = problems.check(line, parse_phase, v["phase"])
        if "pupils" in present:
            fields["pupils"] = problems.check(line, parse_pupils, v["pupils"])
        if "descriptors" in present:
            fields["descriptors"] = problems.check(line, parse_descriptors, v["descriptors"], ";")

        # Which existing school this row is: by URN, else by exact name.
        school = by_urn.get(urn) if urn else None
        if school is None and name in by_name:
            named = by_name[name]
            if urn and named.urn and named.urn != urn:
                problems.add(
                    line,
                    f"a school called “{name}” already has URN {named.urn}; "
                    "check the URN or the name",
                )
            else:
                school = named
        elif school is not None and name != school.name and name in by_name:
            problems.add(line, f"another school is already called “{name}”")
        if school is not None and urn is None and "urn" in present and school.urn:
            # An empty URN cell would wipe the URN that identifies the school; keep it.
            fields["urn"] = school.urn

        contact = None
        contact_name = " ".join(v.get("contact_name", "").split())
        raw_email = v.get("contact_email", "")
        if raw_email:
            email = problems.check(line, _check_email, raw_email)
            if not contact_name:
                problems.add(line, "contact_name is needed with contact_email")
            elif len(contact_name) > 120:
                problems.add(line, "contact_name must be 120 characters or fewer")
            if email:
                existing = users_by_email.get(email)
                if email in seen_email:
                    problems.add(line, f"contact_email {email} is also on line {seen_email[email]}")
                elif existing is not None and (school is None or existing.school_id != school.id):
                    where = existing.school.name if existing.school else "no school"
                    problems.add(
                        line,
                        f"contact_email {email} already belongs to {existing.name} ({where})",
                    )
                seen_email[email] = line
                if existing is None:
                    contact = (contact_name, email)
        elif contact_name:
            problems.add(line, "contact_email is needed with contact_name")

        if len(problems.items) == before:
            plans.append(_SchoolPlan(line, school, fields, contact))

    if problems.items:
        return _failed("schools", problems.items)

    result = ImportResult(kind="schools")
    for plan in plans:
        school = plan.school
        if school is None:
            school = School(descriptors=[], phase="primary", town="", postcode="")
            for key, value in plan.fields.items():
                setattr(school, key, value)
            db.session.add(school)
            result.created += 1
        elif any(getattr(school, k) != v for k, v in plan.fields.items()):
            for key, value in plan.fields.items():
                setattr(school, key, value)
            result.updated += 1
        else:
            result.unchanged += 1
        if plan.contact is not None:
            contact_name, email = plan.contact
            user = User(
                name=contact_name,
                email=email,
                role=Role.LEADER,
                school=school,
                active=True,
                password_hash=None,
            )
            db.session.add(user)
            result.invites.append(user)
            result.people_created += 1
    _commit(result, by)
    if result.ok and invite and result.invites:
        send_invitations(result)
    return result


def send_invitations(result: ImportResult) -> None:
    """Email each new leader an invitation; the import is already committed."""
    for user in result.invites:
        try:
            delivery = send_invitation(user)
        except Exception:  # one failure must not hide the others; the data is already saved
            current_app.logger.exception("Invitation to %s failed", user.email)
            delivery = None
        if delivery is not None and delivery.ok:
            result.invitations_sent += 1
        else:
            result.invitation_problems.append(f"The invitation to {user.email} was not sent")


# ----- Posts -----------------------------------------------------------------------------------


@dataclass
class _PostPlan:
    line: int
    post: Post | None
    fields: dict[str, Any]
    tags: list[Tag] | None


_FORMATS = {
    "in_person": PostFormat.IN_PERSON,
    "remote": PostFormat.REMOTE,
    "either": PostFormat.EITHER,
}


def _parse_format(value: str) -> PostFormat:
    key = _header_key(value) or "either"
    if key not in _FORMATS:
        raise ValueError(f"format must be in_person, remote or either, not “{value}”")
    return _FORMATS[key]


def _parse_capacity(kind: PostKind | None, value: str) -> int | None:
    if kind == PostKind.REQUEST:
        if value:
            raise ValueError("capacity must be empty for a request")
        return None
    if not value:
        raise ValueError("capacity is needed for an offer: how many schools can take it up")
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"capacity must be a whole number of 1 or more, not “{value}”")
    return int(value)


def import_posts(data: bytes | str, *, by: User | None = None) -> ImportResult:
    """Validate and import a posts CSV (offers and requests); `by` as for import_schools."""
    columns, rows, errors = read_rows(data, POST_COLUMNS)
    if errors:
        return _failed("posts", errors)
    present = set(columns)
    problems = _Problems()

    schools = db.session.scalars(sa.select(School)).all()
    by_urn = {s.urn: s for s in schools if s.urn}
    by_name = {s.name: s for s in schools}
    ids = [r.values["external_id"] for r in rows if r.values["external_id"]]
    existing_posts = {
        p.external_id: p
        for p in db.session.scalars(
            sa.select(Post).where(Post.external_id.in_(ids)).options(selectinload(Post.tags))
        )
    }
    lookup = tag_lookup() if "tags" in present else {}

    seen_id: dict[str, int] = {}
    plans: list[_PostPlan] = []
    for row in rows:
        v, line = row.values, row.line
        before = len(problems.items)
        fields: dict[str, Any] = {}

        external_id = v["external_id"]
        if not external_id:
            problems.add(line, "external_id is missing")
        elif len(external_id) > 80:
            problems.add(line, "external_id must be 80 characters or fewer")
        elif external_id in seen_id:
            problems.add(line, f"external_id {external_id} is also on line {seen_id[external_id]}")
        else:
            seen_id[external_id] = line

        school_ref = " ".join(v["school"].split())
        school = by_urn.get(school_ref) or by_name.get(school_ref)
        if not school_ref:
            problems.add(line, "school is missing")
        elif school is None:
            problems.add(line, f"no school has the URN or name “{school_ref}”")
        else:
            fields["school_id"] = school.id

        kind: PostKind | None = None
        raw_kind = v["kind"].lower()
        if raw_kind in (PostKind.OFFER.value, PostKind.REQUEST.value):
            kind = PostKind(raw_kind)
            fields["kind"] = kind
        else:
            problems.add(line, f"kind must be offer or request, not “{v['kind']}”")

        title = " ".join(v["title"].split())
        if not title:
            problems.add(line, "title is missing")
        elif len(title) > TITLE_MAX:
            problems.add(line, f"title is {len(title)} characters; it must be {TITLE_MAX} or fewer")
        fields["title"] = title

        if "description" in present:
            fields["description"] = v["description"].replace("\r\n", "\n")
        if "format" in present:
            fields["format"] = problems.check(line, _parse_format, v["format"])
        if "time_commitment" in present:
            if len(v["time_commitment"]) > 120:
                problems.add(line, "time_commitment must be 120 characters or fewer")
            fields["time_commitment"] = v["time_commitment"]
        if kind is not None:
            fields["capacity"] = problems.check(line, _parse_capacity, kind, v.get("capacity", ""))

        tags = None
        if "tags" in present:
            typed = [t.strip() for t in v["tags"].split(";") if t.strip()]
            tags, fields["free_tags"] = resolve_tags(typed, lookup)

        if len(problems.items) == before:
            plans.append(_PostPlan(line, existing_posts.get(external_id), fields, tags))
            if plans[-1].post is None:
                plans[-1].fields["external_id"] = external_id

    if problems.items:
        return _failed("posts", problems.items)

    result = ImportResult(kind="posts")
    for plan in plans:
        post = plan.post
        if post is None:
            post = Post(author=None, status=PostStatus.OPEN, description="", free_tags=[])
            for key, value in plan.fields.items():
                setattr(post, key, value)
            if plan.tags is not None:
                post.tags = list(plan.tags)
            db.session.add(post)
            result.created += 1
            continue
        changed = any(getattr(post, k) != v for k, v in plan.fields.items())
        if plan.tags is not None and {t.id for t in post.tags} != {t.id for t in plan.tags}:
            changed = True
        if changed:
            for key, value in plan.fields.items():
                setattr(post, key, value)
            if plan.tags is not None:
                post.tags = list(plan.tags)
            result.updated += 1
        else:
            result.unchanged += 1
    return _commit(result, by)


def format_errors(errors: list[tuple[int, str]], limit: int | None = None) -> list[str]:
    """'Line N: reason' strings (file-wide problems have no line), at most `limit` of them."""
    lines = [f"Line {n}: {msg}" if n else msg for n, msg in errors]
    if limit is not None and len(lines) > limit:
        return [*lines[:limit], f"and {len(lines) - limit} more"]
    return lines
