"""School terms from the TERMS setting, and the settings' validation."""

from __future__ import annotations

from datetime import date

import pytest

from app.config import Config, checkin_weeks
from app.terms import parse_terms, previous_term, recent_terms, term_by_key, term_for

SPEC = "Autumn:09-01,Spring:01-01,Summer:04-15"


@pytest.mark.parametrize(
    ("day", "label", "start", "last"),
    [
        (date(2026, 11, 23), "Autumn 2026", date(2026, 9, 1), date(2026, 12, 31)),
        (date(2026, 9, 1), "Autumn 2026", date(2026, 9, 1), date(2026, 12, 31)),
        (date(2026, 8, 31), "Summer 2026", date(2026, 4, 15), date(2026, 8, 31)),
        (date(2027, 1, 1), "Spring 2027", date(2027, 1, 1), date(2027, 4, 14)),
        (date(2027, 4, 14), "Spring 2027", date(2027, 1, 1), date(2027, 4, 14)),
        (date(2027, 4, 15), "Summer 2027", date(2027, 4, 15), date(2027, 8, 31)),
    ],
)
def test_each_day_falls_in_one_term(day: date, label: str, start: date, last: date) -> None:
    term = term_for(day, SPEC)
    assert (term.label, term.start, term.last_day) == (label, start, last)
    assert term.contains(day) and not term.contains(term.end)


def test_terms_in_any_order_and_walking_back() -> None:
    shuffled = "Summer:04-15, Autumn:09-01 ,Spring:01-01"
    assert term_for(date(2026, 11, 23), shuffled) == term_for(date(2026, 11, 23), SPEC)
    now = term_for(date(2026, 11, 23), SPEC)
    assert previous_term(now, SPEC).label == "Summer 2026"
    labels = [t.label for t in recent_terms(date(2026, 11, 23), SPEC, 4)]
    assert labels == ["Autumn 2026", "Summer 2026", "Spring 2026", "Autumn 2025"]
    assert term_by_key("2026-summer", date(2026, 11, 23), SPEC) == previous_term(now, SPEC)
    assert term_by_key("1999-autumn", date(2026, 11, 23), SPEC) is None


def test_a_partnership_with_two_terms() -> None:
    assert term_for(date(2026, 3, 1), "Winter:10-01,Summer:04-01").label == "Winter 2025"


@pytest.mark.parametrize("spec", ["", "Autumn", "Autumn:13-01", "Autumn:02-30", "Autumn 09-01"])
def test_unreadable_terms_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_terms(spec)


def test_settings_are_checked_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    assert checkin_weeks(" 12, 6 ") == [6, 12]
    for name, value in (("TERMS", "Autumn"), ("CHECKIN_WEEKS", "six"), ("CHECKIN_WEEKS", "0")):
        monkeypatch.setattr(Config, name, value)
        with pytest.raises(RuntimeError):
            Config.validate()
        monkeypatch.undo()
    monkeypatch.setattr(Config, "RETENTION_YEARS", 0)
    with pytest.raises(RuntimeError, match="RETENTION_YEARS"):
        Config.validate()
    monkeypatch.undo()
    monkeypatch.setattr(Config, "MATCH_SEMANTIC", "yes")
    with pytest.raises(RuntimeError, match="MATCH_SEMANTIC"):
        Config.validate()
