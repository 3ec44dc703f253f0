"""The demo partnership: 72 fictional Lincolnshire schools, their leaders and their posts.

Loading is idempotent (schools by name, people by email, posts by external_id), and with
`if_empty` it does nothing once any school exists, so `make run` can call it on every start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Post, PostFormat, PostKind, PostStatus, Role, School, User, utcnow
from app.taxonomy.services import resolve_tags, seed_taxonomy, tag_lookup

DEMO_DIR = Path(__file__).resolve().parent
# Shared by every demo account; printed by `flask demo sign-ins`. Never a real partnership's.
DEMO_PASSWORD = "give-first-demo"
COORDINATORS = (
    ("Priya Sandhu", "coordinator@demo.givefirst.test"),
    ("Tom Whitfield", "coordinator2@demo.givefirst.test"),
)


class DemoError(RuntimeError):
    """The demo data cannot be loaded; the message says why."""


class DemoRefused(DemoError):
    """Demo data must not reach a production database."""


@dataclass
class DemoSummary:
    skipped: bool = False
    concepts: int = 0
    schools: int = 0
    leaders: int = 0
    coordinators: int = 0
    posts: int = 0
    history: str = ""

    def text(self) -> str:
        if self.skipped:
            return "Demo data not loaded: the database already has schools."
        loaded = (
            f"Demo data loaded: {self.schools} schools, {self.leaders} leaders, "
            f"{self.coordinators} coordinators, {self.posts} posts, "
            f"{self.concepts} taxonomy concepts added."
        )
        return f"{loaded}\n{self.history}" if self.history else loaded


def _read(data_dir: Path, name: str) -> list[dict[str, Any]]:
    path = data_dir / name
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise DemoError(f"The demo data file {path} is missing") from None


def load_demo(
    if_empty: bool = False,
    data_dir: Path | None = None,
    force: bool = False,
    history_weeks: int = 0,
) -> DemoSummary:
    """Add the demo partnership's missing schools, people and posts; on a fresh load, also
    `history_weeks` weeks of replayed history (app.demo.history)."""
    if current_app.config.get("ENV_NAME") == "production" and not force:
        raise DemoRefused(
            "Refusing to load demo data into production. Use --force only on a throwaway copy."
        )
    if if_empty and db.session.scalar(sa.select(School.id).limit(1)) is not None:
        return DemoSummary(skipped=True)

    data_dir = data_dir or DEMO_DIR
    schools_data = _read(data_dir, "schools.json")
    posts_data = _read(data_dir, "posts.json")
    summary = DemoSummary()
    # A data set may bring its own taxonomy; otherwise the shipped one.
    taxonomy_file = data_dir / "taxonomy.json"
    summary.concepts = seed_taxonomy(
        json.loads(taxonomy_file.read_text("utf-8")) if taxonomy_file.is_file() else None
    )

    schools = {s.name: s for s in db.session.scalars(sa.select(School))}
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    # One hash for every demo account: scrypt per user would make start-up slow.
    password_hash = generate_password_hash(
        DEMO_PASSWORD, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    )

    for item in schools_data:
        school = schools.get(item["name"])
        if school is None:
            school = School(
                name=item["name"],
                urn=item.get("urn") or None,
                town=item.get("town", ""),
                postcode=item.get("postcode", ""),
                latitude=item.get("lat"),
                longitude=item.get("lon"),
                phase=item.get("phase", "primary"),
                pupils=item.get("pupils"),
                descriptors=list(item.get("descriptors", [])),
            )
            db.session.add(school)
            schools[school.name] = school
            summary.schools += 1
        for leader in item.get("leaders", []):
            email = leader["email"].strip().lower()
            if email in users:
                continue
            users[email] = User(
                name=leader["name"],
                email=email,
                job_title=leader.get("title", ""),
                role=Role.LEADER,
                school=school,
                active=True,
                password_hash=password_hash,
            )
            db.session.add(users[email])
            summary.leaders += 1

    for name, email in COORDINATORS:
        if email not in users:
            users[email] = User(
                name=name,
                email=email,
                job_title="Partnership coordinator",
                role=Role.COORDINATOR,
                active=True,
                password_hash=password_hash,
            )
            db.session.add(users[email])
            summary.coordinators += 1

    existing_posts = set(
        db.session.scalars(sa.select(Post.external_id).where(Post.external_id.is_not(None)))
    )
    lookup = tag_lookup()
    for item in posts_data:
        if item["external_id"] in existing_posts:
            continue
        school = schools.get(item["school"])
        if school is None:
            db.session.rollback()
            raise DemoError(
                f"Post {item['external_id']} names the school {item['school']!r}, "
                "which is not in schools.json"
            )
        concepts, free = resolve_tags(item.get("tags", []), lookup)
        author_email = (item.get("author_email") or "").strip().lower()
        db.session.add(
            Post(
                external_id=item["external_id"],
                kind=PostKind(item["kind"]),
                school=school,
                author=users.get(author_email),
                title=item["title"],
                description=item.get("description", ""),
                tags=concepts,
                free_tags=free,
                format=PostFormat(item.get("format") or "either"),
                capacity=item.get("capacity"),
                time_commitment=item.get("time_commitment") or "",
                status=PostStatus.OPEN,
            )
        )
        existing_posts.add(item["external_id"])
        summary.posts += 1
    db.session.commit()
    fresh = summary.posts and summary.posts == len(posts_data)
    if history_weeks and fresh:
        from app.demo.history import load_history

        summary.history = load_history(utcnow(), weeks=history_weeks).text()
    return summary


@dataclass
class SignIn:
    who: str
    name: str
    email: str


def demo_sign_ins(data_dir: Path | None = None, leaders: int = 3) -> list[SignIn]:
    """A coordinator and a few leaders from different towns, as they are in the database."""
    emails = [email for _, email in COORDINATORS[:1]]
    candidates: list[str] = []
    path = (data_dir or DEMO_DIR) / "schools.json"
    if path.is_file():
        for item in json.loads(path.read_text("utf-8")):
            if item.get("leaders"):
                candidates.append(item["leaders"][0]["email"].strip().lower())
    found = {
        u.email: u
        for u in db.session.scalars(
            sa.select(User)
            .options(selectinload(User.school))
            .where(User.email.in_(emails + candidates), User.active.is_(True))
        )
    }
    result = [SignIn("Coordinator", found[e].name, e) for e in emails if e in found]
    towns: set[str] = set()
    for email in candidates:
        user = found.get(email)
        if user is None or user.school is None or user.school.town in towns:
            continue
        towns.add(user.school.town)
        result.append(SignIn(f"Leader at {user.school.name}", user.name, email))
        if len(result) > leaders:
            break
    return result
