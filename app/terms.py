"""School terms: the partnership's unit of time for its dashboard and reports.

Terms come from the TERMS setting ("Autumn:09-01,Spring:01-01,Summer:04-15"): each term starts
on its date and runs to the day before the next one starts. A term is named by its name and the
calendar year it starts in ("Autumn 2026").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

_SPEC = re.compile(r"^\s*([^:,]+?)\s*:\s*(\d{2})-(\d{2})\s*$")


@dataclass(frozen=True, order=True)
class Term:
    start: date
    end: date  # exclusive: the first day of the next term
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} {self.start.year}"

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def key(self) -> str:
        """A stable identifier for URLs: "2026-autumn"."""
        return f"{self.start.year}-{self.name.lower().replace(' ', '-')}"

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """The term's start and end as UTC instants, for comparing with timestamps."""
        zone = ZoneInfo(timezone)
        return (
            datetime.combine(self.start, time(), zone).astimezone(UTC),
            datetime.combine(self.end, time(), zone).astimezone(UTC),
        )


def parse_terms(spec: str) -> list[tuple[str, int, int]]:
    """(name, month, day) for each term in the setting, in calendar order."""
    terms: list[tuple[str, int, int]] = []
    for part in spec.split(","):
        found = _SPEC.match(part)
        if not found:
            raise ValueError(f"TERMS: cannot read {part.strip()!r}; write Name:MM-DD")
        name, month, day = found.group(1), int(found.group(2)), int(found.group(3))
        date(2024, month, day)  # raises ValueError for an impossible date (2024 allows 29 Feb)
        terms.append((name, month, day))
    if not terms:
        raise ValueError("TERMS names no terms")
    return sorted(terms, key=lambda t: (t[1], t[2]))


def _starts_around(spec: str, year: int) -> list[tuple[date, str]]:
    return [
        (date(y, month, min(day, 28) if month == 2 else day), name)
        for y in (year - 1, year, year + 1)
        for name, month, day in parse_terms(spec)
    ]


def term_for(day: date, spec: str) -> Term:
    """The term that `day` falls in."""
    starts = sorted(_starts_around(spec, day.year))
    for (start, name), (next_start, _) in pairwise(starts):
        if start <= day < next_start:
            return Term(start, next_start, name)
    raise AssertionError("unreachable: three years of starts cover any day")


def previous_term(term: Term, spec: str) -> Term:
    return term_for(term.start - timedelta(days=1), spec)


def recent_terms(today: date, spec: str, count: int = 6) -> list[Term]:
    """The current term and the ones before it, newest first."""
    terms = [term_for(today, spec)]
    while len(terms) < count:
        terms.append(previous_term(terms[-1], spec))
    return terms


def term_by_key(key: str, today: date, spec: str, count: int = 12) -> Term | None:
    return next((t for t in recent_terms(today, spec, count) if t.key == key), None)
