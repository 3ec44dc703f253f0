"""Coordinator business rules: schools, the taxonomy (including merges) and the mail outbox."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.extensions import db
from app.models import (
    Post,
    PostKind,
    PostStatus,
    RetiredAlias,
    RetiredConcept,
    Role,
    School,
    Tag,
    TagAlias,
    User,
    post_tag,
)
from app.taxonomy.services import normalise

# ---------------------------------------------------------------------------------------------
# Schools
# ---------------------------------------------------------------------------------------------

# The context descriptors the partnership celebrates; a fixed list so reports can group by them.
DESCRIPTORS = (
    "rural",
    "coastal",
    "urban",
    "market town",
    "church school",
    "small school",
    "federation",
    "academy",
    "high disadvantage",
    "service families",
    "high EAL",
    "nursery",
)

PHASES = (
    ("nursery", "Nursery"),
    ("infant", "Infant"),
    ("junior", "Junior"),
    ("primary", "Primary"),
    ("first", "First"),
    ("middle", "Middle"),
    ("all-through", "All-through"),
    ("special", "Special"),
)
PHASE_VALUES = tuple(value for value, _ in PHASES)

# Great Britain and Northern Ireland with a margin; catches swapped or mistyped coordinates.
LATITUDE_RANGE = (49.0, 61.0)
LONGITUDE_RANGE = (-8.7, 2.0)

URN_RE = re.compile(r"^\d{6}$")
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")


def parse_urn(value: str) -> str | None:
    """A school's URN: empty, or exactly six digits."""
    value = value.strip()
    if not value:
        return None
    if not URN_RE.match(value):
        raise ValueError("URN must be 6 digits, like 120345")
    return value


def normalise_postcode(value: str) -> str:
    """'ln11aa' -> 'LN1 1AA'; empty stays empty; raises ValueError if not a UK postcode."""
    compact = "".join(value.split()).upper()
    if not compact:
        return ""
    if not POSTCODE_RE.match(compact):
        raise ValueError("Enter a real UK postcode, like LN1 1AA")
    return f"{compact[:-3]} {compact[-3:]}"


def parse_coordinates(latitude: str, longitude: str) -> tuple[float | None, float | None]:
    """Both or neither, as decimal degrees within the UK."""
    latitude, longitude = latitude.strip(), longitude.strip()
    if not latitude and not longitude:
        return None, None
    if not latitude or not longitude:
        raise ValueError("Enter both latitude and longitude, or neither")
    try:
        lat, lon = float(latitude), float(longitude)
    except ValueError:
        raise ValueError(
            "Latitude and longitude must be numbers, like 53.2307 and -0.5406"
        ) from None
    if not LATITUDE_RANGE[0] <= lat <= LATITUDE_RANGE[1]:
        raise ValueError(
            f"Latitude must be between {LATITUDE_RANGE[0]:g} and {LATITUDE_RANGE[1]:g} (the UK)"
        )
    if not LONGITUDE_RANGE[0] <= lon <= LONGITUDE_RANGE[1]:
        raise ValueError(
            f"Longitude must be between {LONGITUDE_RANGE[0]:g} and {LONGITUDE_RANGE[1]:g} (the UK)"
        )
    return lat, lon


def parse_pupils(value: str) -> int | None:
    """Number of pupils: empty, or a whole number of 0 or more."""
    value = value.strip().replace(",", "")
    if not value:
        return None
    if not value.isdigit():
        raise ValueError("Number of pupils must be a whole number, like 210")
    return int(value)


def parse_phase(value: str) -> str:
    """One of PHASES (case-insensitive); empty means primary."""
    value = value.strip().lower()
    if not value:
        return "primary"
    if value not in PHASE_VALUES:
        raise ValueError(f"Phase must be one of: {', '.join(PHASE_VALUES)}")
    return value


def parse_descriptors(value: str, separator: str = ",") -> list[str]:
    """Descriptors from DESCRIPTORS, in their canonical spelling and order."""
    canonical = {d.lower(): d for d in DESCRIPTORS}
    chosen: set[str] = set()
    unknown: list[str] = []
    for part in value.split(separator):
        part = " ".join(part.split())
        if not part:
            continue
        if part.lower() in canonical:
            chosen.add(canonical[part.lower()])
        else:
            unknown.append(part)
    if unknown:
        raise ValueError(
            f"Unknown descriptor: {', '.join(unknown)}. Choose from: {', '.join(DESCRIPTORS)}"
        )
    return [d for d in DESCRIPTORS if d in chosen]


@dataclass
class SchoolData:
    """A school's fields, already parsed and checked."""

    name: str
    urn: str | None = None
    town: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    phase: str = "primary"
    pupils: int | None = None
    descriptors: list[str] = field(default_factory=list)

    @classmethod
    def from_school(cls, school: School) -> SchoolData:
        return cls(
            name=school.name,
            urn=school.urn,
            town=school.town,
            postcode=school.postcode,
            latitude=school.latitude,
            longitude=school.longitude,
            phase=school.phase,
            pupils=school.pupils,
            descriptors=list(school.descriptors or []),
        )


def school_name_taken(name: str, exclude_id: int | None = None) -> bool:
    query = sa.select(School.id).where(School.name == name)
    if exclude_id is not None:
        query = query.where(School.id != exclude_id)
    return db.session.scalar(query) is not None


def school_urn_taken(urn: str, exclude_id: int | None = None) -> bool:
    query = sa.select(School.id).where(School.urn == urn)
    if exclude_id is not None:
        query = query.where(School.id != exclude_id)
    return db.session.scalar(query) is not None


def apply_school_data(school: School, data: SchoolData) -> None:
    """Copy checked fields onto a school (no commit)."""
    school.name = data.name
    school.urn = data.urn
    school.town = data.town
    school.postcode = data.postcode
    school.latitude = data.latitude
    school.longitude = data.longitude
    school.phase = data.phase
    school.pupils = data.pupils
    school.descriptors = list(data.descriptors)


def save_school(school: School | None, data: SchoolData, *, by: User | None = None) -> School:
    """Create (school=None) or update a school and commit; `by` is kept in the audit log."""
    new = school is None
    if school is None:
        school = School()
        db.session.add(school)
    before = SchoolData.from_school(school) if not new else None
    apply_school_data(school, data)
    if by is not None:
        db.session.flush()  # a new school's id, for the audit entry
        changed = (
            sorted(k for k, v in vars(data).items() if getattr(before, k) != v) if before else []
        )
        if new or changed:
            record(
                by,
                "add_school" if new else "edit_school",
                school,
                f"Added {school.name}" if new else f"Edited {school.name}: {', '.join(changed)}",
                details={"changed": changed} if changed else {},
            )
    db.session.commit()
    return school


@dataclass
class SchoolRow:
    school: School
    leaders: int
    open_posts: int


def school_rows() -> list[SchoolRow]:
    """Every school with its number of active leaders and open posts, in one query."""
    leaders = (
        sa.select(sa.func.count(User.id))
        .where(User.school_id == School.id, User.role == Role.LEADER, User.active.is_(True))
        .correlate(School)
        .scalar_subquery()
    )
    open_posts = (
        sa.select(sa.func.count(Post.id))
        .where(Post.school_id == School.id, Post.status == PostStatus.OPEN)
        .correlate(School)
        .scalar_subquery()
    )
    rows = db.session.execute(sa.select(School, leaders, open_posts).order_by(School.name)).all()
    return [SchoolRow(school, n_leaders, n_open) for school, n_leaders, n_open in rows]


def dashboard_counts() -> dict[str, int]:
    """Headline numbers for the coordinator home page, in one query."""

    def count(model: type[db.Model], *where: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
        return sa.select(sa.func.count()).select_from(model).where(*where).scalar_subquery()

    row = db.session.execute(
        sa.select(
            count(School).label("schools"),
            count(User, User.active.is_(True)).label("people"),
            count(Post, Post.kind == PostKind.OFFER, Post.status == PostStatus.OPEN).label(
                "open_offers"
            ),
            count(Post, Post.kind == PostKind.REQUEST, Post.status == PostStatus.OPEN).label(
                "open_requests"
            ),
            count(Tag).label("concepts"),
        )
    ).one()
    return dict(row._mapping)


# ---------------------------------------------------------------------------------------------
# Taxonomy
# ---------------------------------------------------------------------------------------------


class TaxonomyError(ValueError):
    """A change to the taxonomy that would break it; the message is for the coordinator."""


def slugify(label: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    return slug[:70].strip("-") or "concept"


def unique_slug(label: str) -> str:
    """A slug from the label that no concept uses yet ('phonics', 'phonics-2', ...)."""
    base = slugify(label)
    taken = set(
        db.session.scalars(
            sa.select(Tag.slug).where(sa.or_(Tag.slug == base, Tag.slug.like(f"{base}-%")))
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def split_list(value: str) -> list[str]:
    """'a, b,,c' -> ['a', 'b', 'c'], spaces tidied, duplicates dropped, order kept."""
    seen: dict[str, str] = {}
    for part in value.split(","):
        text = " ".join(part.split())
        if text and text not in seen:
            seen[text] = text
    return list(seen)


@dataclass
class ConceptRow:
    tag: Tag
    depth: int
    posts: int
    aliases: list[str]
    abbreviations: list[str]


@dataclass
class ConceptGroup:
    category: Tag
    rows: list[ConceptRow]


def all_concepts() -> list[Tag]:
    return list(db.session.scalars(sa.select(Tag).order_by(Tag.label)))


def taxonomy_groups(search: str = "") -> list[ConceptGroup]:
    """Concepts under their top-level category, depth-first; with a search, only matches."""
    tags = db.session.scalars(
        sa.select(Tag).options(selectinload(Tag.aliases)).order_by(Tag.label)
    ).all()
    post_counts = dict(
        db.session.execute(
            sa.select(post_tag.c.tag_id, sa.func.count()).group_by(post_tag.c.tag_id)
        )
        .tuples()
        .all()
    )
    children: dict[int | None, list[Tag]] = {}
    for tag in tags:
        children.setdefault(tag.parent_id, []).append(tag)

    needle = normalise(search) if search.strip() else ""

    def matches(tag: Tag) -> bool:
        if not needle:
            return True
        texts = [tag.label, tag.slug, *(a.text for a in tag.aliases)]
        return any(needle in normalise(text) for text in texts)

    def walk(tag: Tag, depth: int, seen: set[int]) -> list[ConceptRow]:
        if tag.id in seen:  # a cycle made outside the app; never loop forever
            return []
        seen.add(tag.id)
        rows = []
        if matches(tag):
            rows.append(
                ConceptRow(
                    tag=tag,
                    depth=depth,
                    posts=post_counts.get(tag.id, 0),
                    aliases=[a.text for a in tag.aliases if not a.is_abbreviation],
                    abbreviations=[a.text for a in tag.aliases if a.is_abbreviation],
                )
            )
        for child in children.get(tag.id, []):
            rows.extend(walk(child, depth + 1, seen))
        return rows

    groups = []
    for top in children.get(None, []):
        rows = walk(top, 0, set())
        if rows:
            groups.append(ConceptGroup(category=top, rows=rows))
    return groups


def would_create_cycle(tag: Tag, parent: Tag | None) -> bool:
    """True if making `parent` the parent of `tag` puts `tag` below itself."""
    if parent is None or tag.id is None:
        return False
    parents = dict(db.session.execute(sa.select(Tag.id, Tag.parent_id)).tuples().all())
    node: int | None = parent.id
    seen: set[int] = set()
    while node is not None and node not in seen:
        if node == tag.id:
            return True
        seen.add(node)
        node = parents.get(node)
    return False


def _taken_alias_texts(exclude_tag_id: int | None) -> dict[str, str]:
    """normalised alias or label -> label of the concept that already uses it."""
    taken: dict[str, str] = {}
    query = sa.select(Tag).options(selectinload(Tag.aliases))
    if exclude_tag_id is not None:
        query = query.where(Tag.id != exclude_tag_id)
    for tag in db.session.scalars(query):
        taken.setdefault(normalise(tag.label), tag.label)
        for alias in tag.aliases:
            if not alias.is_abbreviation:
                taken.setdefault(alias.normalised, tag.label)
    return taken


def check_concept(
    label: str,
    aliases: list[str],
    tag: Tag | None = None,
) -> dict[str, str]:
    """Field name -> problem, for a new or edited concept's label and new aliases."""
    problems: dict[str, str] = {}
    taken = _taken_alias_texts(tag.id if tag is not None else None)
    label_key = normalise(label)
    label_changed = tag is None or label_key != normalise(tag.label)
    if not label_key:
        problems["label"] = "Enter a name made of letters or numbers"
    elif label_changed and label_key in taken:
        problems["label"] = f"“{label}” is already used by the concept “{taken[label_key]}”"
    existing = {a.text for a in tag.aliases} if tag is not None else set()
    clashes = [
        f"“{text}” (used by “{taken[normalise(text)]}”)"
        for text in aliases
        if text not in existing and normalise(text) in taken
    ]
    if clashes:
        problems["aliases"] = "Another concept already uses " + ", ".join(clashes)
    return problems


def _set_aliases(tag: Tag, texts: list[str], is_abbreviation: bool) -> None:
    """Make the concept's aliases of one kind exactly `texts` (keeping unchanged rows).

    Names removed from an existing concept are remembered (RetiredAlias), so reloading the
    shipped taxonomy does not add them back; a name typed in again is forgotten there.
    """
    wanted = {text for text in texts}
    removed: set[str] = set()
    for alias in list(tag.aliases):
        if alias.is_abbreviation == is_abbreviation and alias.text not in wanted:
            removed.add(alias.normalised)
            tag.aliases.remove(alias)
    have = {a.text for a in tag.aliases if a.is_abbreviation == is_abbreviation}
    for text in texts:
        if text not in have:
            tag.aliases.append(
                TagAlias(text=text, normalised=normalise(text), is_abbreviation=is_abbreviation)
            )
            have.add(text)
    if tag.id is None:
        return
    kept = {normalise(text) for text in texts}
    retired = {
        r.normalised: r
        for r in db.session.scalars(
            sa.select(RetiredAlias).where(
                RetiredAlias.tag_id == tag.id, RetiredAlias.is_abbreviation == is_abbreviation
            )
        )
    }
    for key in kept & retired.keys():
        db.session.delete(retired[key])
    for key in sorted(removed - kept - retired.keys()):
        db.session.add(RetiredAlias(tag_id=tag.id, normalised=key, is_abbreviation=is_abbreviation))


def _concept_details(tag: Tag) -> dict[str, object]:
    return {
        "label": tag.label,
        "parent": tag.parent.label if tag.parent is not None else None,
        "aliases": sorted(a.text for a in tag.aliases if not a.is_abbreviation),
        "abbreviations": sorted(a.text for a in tag.aliases if a.is_abbreviation),
    }


def create_concept(
    label: str,
    parent: Tag | None,
    aliases: list[str],
    abbreviations: list[str],
    *,
    by: User | None = None,
) -> Tag:
    """Add a concept with a slug made from its label, and commit."""
    tag = Tag(slug=unique_slug(label), label=label, parent=parent)
    _set_aliases(tag, aliases, False)
    _set_aliases(tag, abbreviations, True)
    db.session.add(tag)
    if by is not None:
        db.session.flush()
        summary = f"Added the concept “{tag.label}”"
        record(by, "add_concept", tag, summary, details=_concept_details(tag))
    db.session.commit()
    return tag


def update_concept(
    tag: Tag,
    label: str,
    parent: Tag | None,
    aliases: list[str],
    abbreviations: list[str],
    *,
    by: User | None = None,
) -> Tag:
    """Change a concept's label, parent and aliases (the slug stays), and commit."""
    if parent is not None and (parent.id == tag.id or would_create_cycle(tag, parent)):
        raise TaxonomyError(f"“{parent.label}” is inside “{tag.label}”, so it cannot be its parent")
    before = _concept_details(tag)
    tag.label = label
    tag.parent = parent
    _set_aliases(tag, aliases, False)
    _set_aliases(tag, abbreviations, True)
    after = _concept_details(tag)
    if by is not None and after != before:
        record(
            by,
            "edit_concept",
            tag,
            f"Edited the concept “{tag.label}”",
            details={"before": before, "after": after},
        )
    db.session.commit()
    return tag


@dataclass
class MergePlan:
    """What merging `source` into `target` will do; shown on the confirmation page."""

    source: Tag
    target: Tag
    posts: int
    aliases_moved: list[str]
    aliases_dropped: list[str]
    children: list[str]


def _post_ids_with(tag_id: int) -> set[int]:
    return set(db.session.scalars(sa.select(post_tag.c.post_id).where(post_tag.c.tag_id == tag_id)))


def plan_merge(source: Tag, target: Tag) -> MergePlan:
    if source.id == target.id:
        raise TaxonomyError("Choose a different concept to merge into")
    target_texts = {(a.text, a.is_abbreviation) for a in target.aliases}
    target_keys = {(a.normalised, a.is_abbreviation) for a in target.aliases}
    moved, dropped = [], []
    for alias in source.aliases:
        duplicate = (alias.text, alias.is_abbreviation) in target_texts or (
            alias.normalised,
            alias.is_abbreviation,
        ) in target_keys
        (dropped if duplicate else moved).append(alias.text)
    return MergePlan(
        source=source,
        target=target,
        posts=len(_post_ids_with(source.id)),
        aliases_moved=moved,
        aliases_dropped=dropped,
        children=[c.label for c in source.children if c.id != target.id],
    )


def merge_concepts(source: Tag, target: Tag, *, by: User | None = None) -> MergePlan:
    """Fold `source` into `target` in one transaction, then delete `source`.

    Posts move to the target (never linked twice), aliases move unless the target has them,
    the source's label becomes an alias of the target, and its children move under the target.
    """
    plan = plan_merge(source, target)
    try:
        # Posts: one query for the affected posts with their tags.
        post_ids = _post_ids_with(source.id)
        if post_ids:
            posts = db.session.scalars(
                sa.select(Post).where(Post.id.in_(post_ids)).options(selectinload(Post.tags))
            ).all()
            for post in posts:
                post.tags.remove(source)
                if target not in post.tags:
                    post.tags.append(target)

        # If the target sits below the source, lift it out first so no cycle can form.
        if would_create_cycle(source, target):
            target.parent = source.parent
            db.session.flush()  # two steps: one flush could not order the swapped parents
        for child in list(source.children):
            if child is not target:
                child.parent = target

        target_texts = {(a.text, a.is_abbreviation) for a in target.aliases}
        target_keys = {(a.normalised, a.is_abbreviation) for a in target.aliases}
        for alias in list(source.aliases):
            key = (alias.normalised, alias.is_abbreviation)
            if (alias.text, alias.is_abbreviation) in target_texts or key in target_keys:
                continue  # deleted with the source
            source.aliases.remove(alias)
            target.aliases.append(alias)
            target_texts.add((alias.text, alias.is_abbreviation))
            target_keys.add(key)
        label_key = normalise(source.label)
        if label_key != normalise(target.label) and (label_key, False) not in target_keys:
            target.aliases.append(TagAlias(text=source.label, normalised=label_key))

        db.session.flush()  # move everything before the source row goes
        if by is not None:
            record(
                by,
                "merge_concepts",
                target,
                f"Merged “{plan.source.label}” into “{target.label}”: {plan.posts} posts moved",
                details={
                    "source": source.id,
                    "source_label": source.label,
                    "posts": plan.posts,
                    "aliases_moved": plan.aliases_moved,
                    "children": plan.children,
                },
            )
        # Remember the slug (and any it had taken over), so reloading the shipped taxonomy
        # does not bring the merged concept back.
        db.session.execute(
            sa.update(RetiredConcept)
            .where(RetiredConcept.merged_into_id == source.id)
            .values(merged_into_id=target.id)
        )
        if db.session.get(RetiredConcept, source.slug) is None:
            db.session.add(RetiredConcept(slug=source.slug, merged_into_id=target.id))
        db.session.execute(sa.delete(RetiredAlias).where(RetiredAlias.tag_id == source.id))
        db.session.delete(source)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return plan


def reload_shipped_taxonomy(*, by: User | None = None) -> tuple[int, int, int]:
    """Add the shipped concepts the database lacks and the shipped names its concepts lack,
    and move the names a release moved; returns (concepts added, names added, names moved)."""
    from app.taxonomy.services import load_shipped_taxonomy

    # Added first, so seed_taxonomy's commit saves the entry with the concepts.
    event = record(by, "reload_taxonomy", None, "Reloaded the shipped taxonomy") if by else None
    added, names, moved = load_shipped_taxonomy()
    if event is not None:
        event.summary = (
            f"Reloaded the shipped taxonomy: {added} concepts and {names} other names added, "
            f"{moved} names moved"
        )
        event.details = {"added": added, "names": names, "moved": moved}
        db.session.commit()
    return added, names, moved


# ---------------------------------------------------------------------------------------------
# Outbox (development mail)
# ---------------------------------------------------------------------------------------------

# app.mail.OutboxBackend names files like 20261123-091500-1a2b3c4d.eml; accept nothing else.
OUTBOX_NAME_RE = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}\.eml$")
URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def outbox_enabled() -> bool:
    """Mail goes to the outbox folder (no SMTP server configured)."""
    return not current_app.config.get("SMTP_HOST")


def _outbox_dir() -> Path:
    return Path(current_app.config["OUTBOX_DIR"])


@dataclass
class OutboxEntry:
    name: str
    date: datetime | None
    to: str
    subject: str


@dataclass
class OutboxMessage:
    name: str
    headers: list[tuple[str, str]]
    text: Markup
    has_html: bool


def _read_eml(name: str) -> EmailMessage | None:
    if not OUTBOX_NAME_RE.match(name):
        return None
    path = _outbox_dir() / name
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return BytesParser(policy=policy.default).parse(fh)  # type: ignore[return-value]


def _message_date(msg: EmailMessage) -> datetime | None:
    try:
        value = parsedate_to_datetime(str(msg["Date"])) if msg["Date"] else None
    except (TypeError, ValueError):
        return None
    # "-0000" (how app.mail writes UTC) parses as naive; it means UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def list_outbox(limit: int = 200) -> list[OutboxEntry]:
    """The newest messages in the outbox folder first."""
    folder = _outbox_dir()
    if not folder.is_dir():
        return []
    # Names start with the time written, so sorting names sorts by time.
    names = sorted(
        (p.name for p in folder.iterdir() if OUTBOX_NAME_RE.match(p.name)), reverse=True
    )[:limit]
    entries = []
    for name in names:
        msg = _read_eml(name)
        if msg is None:
            continue
        entries.append(
            OutboxEntry(
                name=name,
                date=_message_date(msg),
                to=str(msg["To"] or ""),
                subject=str(msg["Subject"] or ""),
            )
        )
    return entries


def linkify(text: str) -> Markup:
    """Escape text and turn http(s) addresses into links."""
    parts: list[str] = []
    last = 0
    for match in URL_RE.finditer(text):
        parts.append(escape(text[last : match.start()]))
        url = match.group(0)
        parts.append(Markup('<a class="govuk-link" href="{0}">{0}</a>').format(url))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def read_outbox_message(name: str) -> OutboxMessage | None:
    """One message: its main headers and its text part with links made clickable."""
    msg = _read_eml(name)
    if msg is None:
        return None
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part is not None else ""
    headers = [(h, str(msg[h])) for h in ("Date", "From", "To", "Subject") if msg[h]]
    # Line breaks kept without <pre>, so long lines wrap on a phone.
    body = Markup("<br>\n").join(linkify(line) for line in text.splitlines())
    return OutboxMessage(name=name, headers=headers, text=body, has_html=bool(html_part))


def outbox_message_html(name: str) -> str | None:
    """The HTML part of a message, or None."""
    msg = _read_eml(name)
    if msg is None:
        return None
    part = msg.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else None
