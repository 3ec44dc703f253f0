"""Test data factories: each call adds one committed row with sensible defaults."""

from __future__ import annotations

import itertools
from typing import Any

from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Post, PostFormat, PostKind, Role, School, Tag, User

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


class Factories:
    @staticmethod
    def school(**kw: Any) -> School:
        n = next(_seq)
        school = School(
            name=kw.pop("name", f"Test School {n}"),
            urn=kw.pop("urn", f"{100000 + n}"),
            town=kw.pop("town", "Lincoln"),
            postcode=kw.pop("postcode", "LN1 1AA"),
            latitude=kw.pop("latitude", 53.23),
            longitude=kw.pop("longitude", -0.54),
            **kw,
        )
        db.session.add(school)
        db.session.commit()
        return school

    @staticmethod
    def user(school: School | None = None, role: Role = Role.LEADER, **kw: Any) -> User:
        n = next(_seq)
        password = kw.pop("password", PASSWORD)
        user = User(
            name=kw.pop("name", f"Person {n}"),
            email=kw.pop("email", f"person{n}@example.test"),
            role=role,
            school=school,
            password_hash=(
                generate_password_hash(password, method="pbkdf2:sha256:1000") if password else None
            ),
            **kw,
        )
        db.session.add(user)
        db.session.commit()
        return user

    @classmethod
    def coordinator(cls, **kw: Any) -> User:
        return cls.user(role=Role.COORDINATOR, **kw)

    @staticmethod
    def tag(slug: str, label: str | None = None, parent: Tag | None = None) -> Tag:
        tag = Tag(slug=slug, label=label or slug.replace("-", " ").capitalize(), parent=parent)
        db.session.add(tag)
        db.session.commit()
        return tag

    @classmethod
    def post(cls, school: School | None = None, **kw: Any) -> Post:
        n = next(_seq)
        school = school or cls.school()
        kind = kw.pop("kind", PostKind.OFFER)
        post = Post(
            kind=kind,
            school=school,
            title=kw.pop("title", f"Post {n}"),
            description=kw.pop("description", "Some words about it."),
            format=kw.pop("format", PostFormat.EITHER),
            capacity=kw.pop("capacity", 2 if kind == PostKind.OFFER else None),
            **kw,
        )
        db.session.add(post)
        db.session.commit()
        return post
