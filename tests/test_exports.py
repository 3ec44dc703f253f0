"""CSV exports for coordinators: posts, suggestions, partnerships and impact."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.exports import services
from app.extensions import db
from app.models import (
    AuditEvent,
    Impact,
    Partnership,
    PartnershipStatus,
    Post,
    PostKind,
    School,
    SuggestionStatus,
    User,
)
from tests.conftest import sign_in
from tests.factories import Factories
from tests.test_review import make_run, suggest

BASE = "/coordinator/exports"
NAMES = ("posts", "suggestions", "partnerships", "impact")


@pytest.fixture
def coord_client(client: FlaskClient, app: Flask) -> FlaskClient:
    sign_in(client, Factories.coordinator(name="Cora Coordinator"))
    return client


@contextmanager
def count_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


def rows_of(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "no byte order mark: Excel would garble the text"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def partnership_world(n: int = 1, week: date = date(2026, 11, 23)) -> list[Partnership]:
    """`n` completed partnerships, each with its suggestion and both schools' impact."""
    run = make_run(week)
    made = []
    for i in range(n):
        suffix = f"{i}" if week == date(2026, 11, 23) else f"{week} {i}"
        needs = Factories.school(name=f"Needs {suffix}")
        gives = Factories.school(name=f"Gives {suffix}")
        req = Factories.post(needs, kind=PostKind.REQUEST, title=f"Request {i}")
        off = Factories.post(gives, kind=PostKind.OFFER, title=f"Offer {i}")
        s = suggest(run, req, off, 0.75, status=SuggestionStatus.PUBLISHED)
        p = Partnership(
            suggestion=s,
            request=req,
            offer=off,
            status=PartnershipStatus.COMPLETED,
            aims_what="Year 2 phonics catch-up",
            aims_who="Twelve pupils in Year 2",
            starts_on=date(2026, 1, 5),
            completed_at=datetime(2026, 7, 1, 12, tzinfo=UTC),
        )
        db.session.add(p)
        db.session.flush()
        db.session.add_all(
            [
                Impact(
                    partnership=p,
                    school=needs,
                    pupils_reached=12,
                    staff_reached=2,
                    rating=5,
                    what_changed="Reading ages up",
                    quote="Brilliant, thank you",
                    quote_shareable=True,
                ),
                Impact(
                    partnership=p,
                    school=gives,
                    pupils_reached=0,
                    staff_reached=1,
                    rating=4,
                    quote="Private words",
                    quote_shareable=False,
                ),
            ]
        )
        made.append(p)
    db.session.commit()
    return made


def test_exports_page_lists_the_four_downloads(coord_client: FlaskClient) -> None:
    html = coord_client.get(f"{BASE}/").get_data(as_text=True)
    for name in NAMES:
        assert f'href="{BASE}/{name}.csv"' in html
    assert coord_client.get(f"{BASE}/nothing.csv").status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_each_export_is_an_excel_ready_attachment(coord_client: FlaskClient, name: str) -> None:
    partnership_world()
    response = coord_client.get(f"{BASE}/{name}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f'filename="givefirst-{name}-' in disposition
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    header = body.decode("utf-8-sig").splitlines()[0].split(",")
    assert tuple(header) == services.EXPORTS[name].columns
    assert len(rows_of(body)) >= 1


def test_posts_export_columns_and_values(coord_client: FlaskClient) -> None:
    school = Factories.school(name="Ash Primary", urn="120345")
    tag = Factories.tag("phonics", "Phonics")
    post = Factories.post(
        school,
        kind=PostKind.OFFER,
        title="Phonics training",
        capacity=2,
        available_from=date(2026, 9, 1),
        free_tags=["Read Write Inc"],
    )
    post.tags = [tag]
    post.author = Factories.user(school, name="Private Person", email="private@example.test")
    db.session.commit()

    text = coord_client.get(f"{BASE}/posts.csv").get_data()
    (row,) = rows_of(text)
    assert row["post_id"] == str(post.id)
    assert (row["kind"], row["status"], row["school"], row["school_urn"]) == (
        "offer",
        "open",
        "Ash Primary",
        "120345",
    )
    assert (row["tags"], row["free_tags"], row["capacity"]) == ("Phonics", "Read Write Inc", "2")
    assert row["available_from"] == "2026-09-01" and row["available_until"] == ""
    # Times are the partnership's local time, as a spreadsheet reads them.
    assert len(row["created_at"]) == len("2026-11-23 09:05")
    # People's names and addresses stay out of exports.
    assert b"Private Person" not in text and b"private@example.test" not in text


def test_partnerships_and_impact_exports(coord_client: FlaskClient) -> None:
    (p,) = partnership_world()
    (row,) = rows_of(coord_client.get(f"{BASE}/partnerships.csv").get_data())
    assert row["partnership_id"] == str(p.id) and row["status"] == "completed"
    assert (row["request_school"], row["offer_school"]) == ("Needs 0", "Gives 0")
    assert row["aims_what"] == "Year 2 phonics catch-up" and row["starts_on"] == "2026-01-05"
    assert row["completed_at"] == "2026-07-01 13:00"  # British Summer Time
    assert row["by_hand"] == "no"

    helped, helping = rows_of(coord_client.get(f"{BASE}/impact.csv").get_data())
    assert (helped["school"], helped["role"], helped["partner_school"]) == (
        "Needs 0",
        "helped",
        "Gives 0",
    )
    assert (helped["pupils_reached"], helped["staff_reached"], helped["rating"]) == ("12", "2", "5")
    assert helped["quote"] == "Brilliant, thank you" and helped["quote_shareable"] == "yes"
    # A quote the school did not agree to share never leaves the service.
    assert helping["quote"] == "" and helping["quote_shareable"] == "no"
    assert helping["rating"] == "4"


def test_suggestions_export_covers_every_week(coord_client: FlaskClient) -> None:
    partnership_world(2)
    later = make_run(date(2026, 11, 30))
    suggest(
        later,
        Factories.post(kind=PostKind.REQUEST),
        Factories.post(),
        0.5,
        status=SuggestionStatus.REJECTED,
        reject_reason="Too far apart",
    )
    rows = rows_of(coord_client.get(f"{BASE}/suggestions.csv").get_data())
    assert [r["week_start"] for r in rows] == ["2026-11-23", "2026-11-23", "2026-11-30"]
    assert rows[-1]["reject_reason"] == "Too far apart" and rows[-1]["status"] == "rejected"
    assert rows[0]["reasons"] == "You both mention phonics; 12 miles apart"


def test_cells_that_a_spreadsheet_would_run_are_defused(coord_client: FlaskClient) -> None:
    school = Factories.school(name="=cmd|'/c calc'!A0")
    Factories.post(
        school,
        title='=HYPERLINK("http://evil.example","click")',
        description="+1+2",
        time_commitment="-3 days",
        free_tags=["@SUM(A1)", "\tTabbed", "\rReturn"],
    )
    (row,) = rows_of(coord_client.get(f"{BASE}/posts.csv").get_data())
    assert row["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["school"] == "'=cmd|'/c calc'!A0"
    assert row["description"] == "'+1+2"
    assert row["time_commitment"] == "'-3 days"
    assert row["free_tags"] == "'@SUM(A1); \tTabbed; \rReturn"


def test_safe_cell() -> None:
    assert services.safe_cell("=1+1") == "'=1+1"
    for start in ("+", "-", "@", "\t", "\r"):
        assert services.safe_cell(f"{start}x") == f"'{start}x"
    assert services.safe_cell("Plain words - fine") == "Plain words - fine"
    # Numbers are data, even negative ones; booleans read as words.
    assert services.safe_cell(-5) == -5 and services.safe_cell(0.25) == 0.25
    assert services.safe_cell(True) == "yes" and services.safe_cell(None) == ""
    assert services.safe_cell(date(2026, 1, 2)) == "2026-01-02"


def test_to_csv_bom_is_optional() -> None:
    assert services.to_csv(["a"], [["x"]]) == "a\r\nx\r\n"
    assert services.to_csv(["a"], [["=x"]], bom=True) == "\ufeffa\r\n'=x\r\n"
    # RFC 4180 line endings, so a lone carriage return inside a cell is quoted, not a new row.
    assert services.to_csv(["a"], [["one\rtwo"]]) == 'a\r\n"one\rtwo"\r\n'


@pytest.mark.parametrize("name", NAMES)
def test_each_export_takes_the_same_number_of_queries_however_many_rows(
    coord_client: FlaskClient, name: str
) -> None:
    partnership_world(1)
    coord_client.get(f"{BASE}/{name}.csv")  # warm up
    with count_queries() as few:
        coord_client.get(f"{BASE}/{name}.csv")
    partnership_world(6, week=date(2026, 11, 30))
    for post in db.session.scalars(sa.select(Post)):
        post.tags = [Factories.tag(f"tag-{post.id}")]
    db.session.commit()
    coord_client.get(f"{BASE}/{name}.csv")  # the commits above expired the signed-in person
    with count_queries() as many:
        body = coord_client.get(f"{BASE}/{name}.csv").get_data()
    assert len(rows_of(body)) > 1
    assert len(many) == len(few), many


def test_each_download_is_recorded_in_the_audit_log(coord_client: FlaskClient) -> None:
    partnership_world()
    coord_client.get(f"{BASE}/impact.csv")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export"))
    assert event is not None
    assert event.summary == "Downloaded the impact export (2 rows)"
    assert event.details == {"export": "impact", "rows": 2}
    actor = db.session.get(User, event.actor_id)
    assert actor is not None and actor.name == "Cora Coordinator"


def test_exports_are_for_coordinators_only(client: FlaskClient, app: Flask) -> None:
    for name in ("", *(f"{n}.csv" for n in NAMES)):
        response = client.get(f"{BASE}/{name}")
        assert response.status_code == 302 and "/auth/sign-in" in response.headers["Location"]
    sign_in(client, Factories.user(Factories.school()))
    for name in ("", *(f"{n}.csv" for n in NAMES)):
        assert client.get(f"{BASE}/{name}").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(School.id))) == 1
