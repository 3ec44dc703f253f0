"""Checking the matcher's input dict (the command-line JSON contract) item by item."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from matching.gcpause import gc_paused

__all__ = ["FORMATS", "InputError", "Offer", "Problem", "Request", "School", "validate"]

FORMATS = ("in_person", "remote", "either")
_FORMAT_HINT = "expected in_person, remote or either"
_MAX_ERRORS = 20


class InputError(ValueError):
    """The input is malformed; .errors lists one message per faulty item."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class School:
    """A school and, if known, where it is."""

    id: str
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    """What a school can give."""

    id: str
    school: str
    title: str
    description: str = ""
    tags: tuple[str, ...] = ()
    format: str = "either"
    capacity: int = 1


@dataclass(frozen=True, slots=True)
class Request:
    """What a school needs."""

    id: str
    school: str
    title: str
    description: str = ""
    tags: tuple[str, ...] = ()
    format: str = "either"


@dataclass
class Problem:
    """A validated input: posts sorted by id (so ties break the same way every run)."""

    offers: list[Offer]
    requests: list[Request]
    schools: dict[str, School] = field(default_factory=dict)
    exclude: set[tuple[str, str]] = field(default_factory=set)
    waiting: dict[str, int] = field(default_factory=dict)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        if len(self.errors) < _MAX_ERRORS:
            self.errors.append(f"{where}: {message}")
        elif len(self.errors) == _MAX_ERRORS:
            self.errors.append("(further errors not shown)")

    def items(self, data: Mapping[str, Any], key: str, required: bool) -> list[Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(key, "missing (a list is required)")
            return []
        if not isinstance(value, list):
            self.fail(key, f"must be a list, not {type(value).__name__}")
            return []
        return value

    def ident(self, item: Any, kind: str, i: int, seen: dict[str, int]) -> tuple[str, str | None]:
        where = f"{kind}[{i}]"
        if not isinstance(item, Mapping):
            self.fail(where, f"must be an object, not {type(item).__name__}")
            return where, None
        ident = item.get("id")
        if ident is None:
            self.fail(where, 'missing "id"')
            return where, None
        if not isinstance(ident, str) or not ident.strip():
            self.fail(where, f'"id" must be a non-empty string, not {ident!r}')
            return where, None
        where = f'{kind}[{i}] (id "{ident}")'
        if ident in seen:
            self.fail(where, f"duplicate id; first used by {kind}[{seen[ident]}]")
            return where, None
        seen[ident] = i
        return where, ident

    def text(self, item: Mapping[str, Any], where: str, key: str, required: bool) -> str:
        value = item.get(key)
        if value is None:
            if required:
                self.fail(where, f'missing "{key}"')
            return ""
        if not isinstance(value, str):
            self.fail(where, f'"{key}" must be a string, not {type(value).__name__}')
            return ""
        return value

    def tags(self, item: Mapping[str, Any], where: str) -> tuple[str, ...]:
        value = item.get("tags")
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            self.fail(where, '"tags" must be a list of strings')
            return ()
        return tuple(value)

    def format(self, item: Mapping[str, Any], where: str) -> str:
        value = item.get("format")
        if value is None:
            self.fail(where, f'missing "format"; {_FORMAT_HINT}')
            return "either"
        if value not in FORMATS:
            shown = f'"{value}"' if isinstance(value, str) else repr(value)
            self.fail(where, f"unknown format {shown}; {_FORMAT_HINT}")
            return "either"
        return value

    def school(self, item: Mapping[str, Any], where: str, schools: dict[str, School] | None) -> str:
        value = item.get("school")
        if value is None:
            self.fail(where, 'missing "school"')
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f'"school" must be a non-empty string, not {value!r}')
            return ""
        if schools is not None and value not in schools:
            self.fail(where, f'unknown school "{value}" (not in "schools")')
        return value


def _plain_post(item: Any, seen: dict[str, int],
                schools: dict[str, School] | None) -> tuple[Any, ...] | None:
    """The fields of a post that needs no message (plain dict, every field well-formed), or
    None: then the caller checks it field by field, which names what is wrong.

    The same rules as _Checker, with exact types only, so that every input this accepts would
    pass those checks unchanged and every other input goes through them.
    """
    if type(item) is not dict:
        return None
    get = item.get
    ident, school, title = get("id"), get("school"), get("title")
    if (type(ident) is not str or type(school) is not str or type(title) is not str
            or ident in seen or not ident.strip() or not school.strip()
            or (schools is not None and school not in schools)):
        return None
    description = get("description")
    if description is None:
        description = ""
    elif type(description) is not str:
        return None
    tags = get("tags")
    if tags is None:
        tags = ()
    elif type(tags) is list:
        for tag in tags:
            if type(tag) is not str:
                return None
        tags = tuple(tags)
    else:
        return None
    fmt = get("format")
    if type(fmt) is not str or fmt not in FORMATS:
        return None
    return ident, school, title, description, tags, fmt


@gc_paused()  # one lasting object per post: see matching.gcpause
def validate(data: Any) -> Problem:
    """Check the input dict and return it as a Problem; raise InputError naming each bad item."""
    check = _Checker()
    if not isinstance(data, Mapping):
        raise InputError([f"top level: must be a JSON object, not {type(data).__name__}"])

    schools: dict[str, School] | None = None
    if data.get("schools") is not None:
        schools = {}
        seen: dict[str, int] = {}
        for i, item in enumerate(check.items(data, "schools", False)):
            where, ident = check.ident(item, "schools", i, seen)
            if ident is None:
                continue
            lat, lon = item.get("lat"), item.get("lon")
            coords: list[float | None] = []
            for name, value, limit in (("lat", lat, 90), ("lon", lon, 180)):
                if value is None:
                    coords.append(None)
                elif not _is_number(value) or not -limit <= value <= limit:
                    check.fail(where, f'"{name}" must be a number from -{limit} to {limit}')
                    coords.append(None)
                else:
                    coords.append(float(value))
            if (coords[0] is None) != (coords[1] is None):
                coords = [None, None]  # half a location is no location
            schools[ident] = School(ident, coords[0], coords[1])

    offers: list[Offer] = []
    seen = {}
    for i, item in enumerate(check.items(data, "offers", True)):
        plain = _plain_post(item, seen, schools)
        if plain is not None:
            capacity = item.get("capacity", 1)
            if capacity is None:
                capacity = 1
            if type(capacity) is int and capacity >= 1:
                seen[plain[0]] = i
                offers.append(Offer(*plain, capacity))
                continue
        where, ident = check.ident(item, "offers", i, seen)
        if ident is None:
            continue
        capacity = item.get("capacity", 1)
        if capacity is None:
            capacity = 1
        elif not _is_int(capacity):
            check.fail(where, f'"capacity" must be a whole number (1 or more), not {capacity!r}')
            capacity = 1
        elif capacity < 1:
            check.fail(where, f'"capacity" must be 1 or more, not {capacity}')
            capacity = 1
        offers.append(
            Offer(
                id=ident,
                school=check.school(item, where, schools),
                title=check.text(item, where, "title", True),
                description=check.text(item, where, "description", False),
                tags=check.tags(item, where),
                format=check.format(item, where),
                capacity=capacity,
            )
        )

    requests: list[Request] = []
    seen = {}
    for i, item in enumerate(check.items(data, "requests", True)):
        plain = _plain_post(item, seen, schools)
        if plain is not None:
            seen[plain[0]] = i
            requests.append(Request(*plain))
            continue
        where, ident = check.ident(item, "requests", i, seen)
        if ident is None:
            continue
        requests.append(
            Request(
                id=ident,
                school=check.school(item, where, schools),
                title=check.text(item, where, "title", True),
                description=check.text(item, where, "description", False),
                tags=check.tags(item, where),
                format=check.format(item, where),
            )
        )

    # Exclusions and waiting counts may name posts that have closed since: they are ignored.
    exclude: set[tuple[str, str]] = set()
    for i, item in enumerate(check.items(data, "exclude", False)):
        where = f"exclude[{i}]"
        if not isinstance(item, Mapping):
            check.fail(where, f"must be an object, not {type(item).__name__}")
            continue
        req, off = item.get("request"), item.get("offer")
        if not isinstance(req, str) or not isinstance(off, str):
            check.fail(where, 'needs "request" and "offer" ids (strings)')
            continue
        exclude.add((req, off))

    waiting: dict[str, int] = {}
    raw_waiting = data.get("waiting")
    if raw_waiting is not None:
        if not isinstance(raw_waiting, Mapping):
            check.fail("waiting", "must be an object mapping request ids to runs waited")
        else:
            for key, value in raw_waiting.items():
                if not _is_int(value) or value < 0:
                    check.fail(f'waiting["{key}"]', f"must be a whole number >= 0, not {value!r}")
                else:
                    waiting[key] = value

    if check.errors:
        raise InputError(check.errors)
    offers.sort(key=lambda o: o.id)
    requests.sort(key=lambda r: r.id)
    known = schools if schools is not None else {}
    return Problem(offers=offers, requests=requests, schools=known, exclude=exclude,
                   waiting=waiting)
