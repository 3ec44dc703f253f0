"""CSV import of schools and posts: the service, the command line and the coordinator page."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.imports.services import import_posts, import_schools
from app.models import (
    AuditEvent,
    Post,
    PostFormat,
    PostKind,
    PostStatus,
    Role,
    School,
    Tag,
    TagAlias,
    User,
)
from tests.conftest import csrf_token, sign_in
from tests.factories import Factories

DATA = Path(__file__).parent / "data"
SCHOOLS_CSV = DATA / "schools.csv"
POSTS_CSV = DATA / "posts.csv"

SCHOOL_HEADER = "name,urn,town,postcode,latitude,longitude,phase,pupils,contact_name,contact_email"

# One file with many kinds of mistake; the quoted name on line 3 runs onto line 4, so every
# later row starts one line further down than its row number.
BAD_SCHOOLS = "\n".join(
    [
        SCHOOL_HEADER,  # line 1
        "Good Primary,120001,Lincoln,LN1 1AA,53.23,-0.54,primary,200,Ann Good,ann@good.example.org",
        '"Two Line\nName School",12345,Lincoln,,,,primary,100,,',  # lines 3-4: 5-digit URN
        "Twin Primary,120001,Louth,,,,primary,50,,",  # line 5: URN repeated from line 2
        "Paris Primary,120003,Paris,,48.85,2.35,primary,50,,",  # line 6: not in the UK
        "Count Primary,120004,Boston,,,,primary,lots,,",  # line 7: pupils not a number
        ",120005,Boston,,,,primary,10,,",  # line 8: no name
        "Mail Primary,120006,Boston,,,,primary,10,Bob,not-an-email",  # line 9
        "Postcode Primary,120007,Boston,NOT A POSTCODE,,,primary,10,,",  # line 10
        "Half Primary,120008,Boston,,53.1,,primary,10,,",  # line 11: latitude only
        "Good Primary,120009,Lincoln,,,,primary,10,,",  # line 12: name repeated from line 2
    ]
)


def page_csrf_token(client: FlaskClient, path: str) -> str:
    """The token in the sign-out form every signed-in page has (even a 403 page)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (School, User, Post, Tag, TagAlias)
    }


def school_values() -> list[tuple[Any, ...]]:
    return [
        (
            s.name,
            s.urn,
            s.town,
            s.postcode,
            s.latitude,
            s.longitude,
            s.phase,
            s.pupils,
            tuple(s.descriptors),
        )
        for s in db.session.scalars(sa.select(School).order_by(School.name))
    ]


def post_values() -> list[tuple[Any, ...]]:
    return [
        (
            p.external_id,
            p.school.name,
            p.kind,
            p.title,
            p.description,
            p.format,
            p.capacity,
            p.time_commitment,
            tuple(t.slug for t in p.tags),
            tuple(p.free_tags),
            p.status,
            p.updated_at,
        )
        for p in db.session.scalars(sa.select(Post).order_by(Post.external_id))
    ]


def seed_tags(make: type[Factories]) -> None:
    maths = make.tag("maths-mastery", "Maths mastery")
    make.tag("coaching", "Coaching")
    send = make.tag("send", "Special educational needs")
    db.session.add(TagAlias(tag=send, text="SEND", normalised="send", is_abbreviation=True))
    db.session.add(TagAlias(tag=maths, text="mastery maths", normalised="mastery maths"))
    db.session.commit()


# ----- schools ---------------------------------------------------------------------------------


def test_school_import_creates_schools_and_leader_accounts(app: Flask) -> None:
    result = import_schools(SCHOOLS_CSV.read_bytes())

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    brookfield = db.session.scalar(sa.select(School).where(School.urn == "120001"))
    assert brookfield.name == "Brookfield Primary School"
    assert brookfield.postcode == "LN1 1AA"
    assert brookfield.latitude == pytest.approx(53.2307)
    assert brookfield.pupils == 210
    assert brookfield.descriptors == ["urban", "academy"]
    fenview = db.session.scalar(sa.select(School).where(School.name == "Fenview Infant School"))
    assert fenview.urn is None
    assert fenview.postcode == "PE21 6AA"  # normalised
    assert fenview.phase == "infant"
    assert fenview.latitude is None
    leader = db.session.scalar(sa.select(User).where(User.email == "head@brookfield.example.org"))
    assert leader.school_id == brookfield.id
    assert leader.role == Role.LEADER
    assert leader.password_hash is None
    assert leader.invited_at is None  # no --invite
    assert [u.email for u in result.invites] == [
        "head@brookfield.example.org",
        "jo.reed@saltmarsh.example.org",
    ]


def test_reimporting_the_same_schools_file_changes_nothing(app: Flask) -> None:
    first = import_schools(SCHOOLS_CSV.read_bytes())
    assert first.ok
    before_counts, before_values = counts(), school_values()

    second = import_schools(SCHOOLS_CSV.read_bytes())

    assert second.ok
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert second.people_created == 0
    assert counts() == before_counts
    assert school_values() == before_values


def test_school_import_updates_from_the_file(app: Flask, make: type[Factories]) -> None:
    existing = make.school(name="Old Name Primary", urn="120001", town="Nowhere", pupils=5)
    no_urn = make.school(name="Fenview Infant School", urn=None, town="Elsewhere")

    result = import_schools(SCHOOLS_CSV.read_bytes())

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 2, 0)
    db.session.refresh(existing)
    db.session.refresh(no_urn)
    assert existing.name == "Brookfield Primary School"  # found by URN, renamed
    assert existing.town == "Lincoln"
    assert existing.pupils == 210
    assert no_urn.town == "Boston"  # found by exact name


def test_bad_schools_file_reports_every_line_and_writes_nothing(
    app: Flask, make: type[Factories]
) -> None:
    make.school(name="Already Here", urn="999999")
    before = counts()

    result = import_schools(BAD_SCHOOLS)

    assert not result.ok
    assert counts() == before
    by_line: dict[int, list[str]] = {}
    for line, message in result.errors:
        by_line.setdefault(line, []).append(message)
    assert set(by_line) == {3, 5, 6, 7, 8, 9, 10, 11, 12}
    assert "URN must be 6 digits" in by_line[3][0]
    assert by_line[5] == ["URN 120001 is also on line 2"]
    assert "Latitude must be between" in by_line[6][0]
    assert "Number of pupils must be a whole number" in by_line[7][0]
    assert by_line[8] == ["name is missing"]
    assert "not a valid email address" in by_line[9][0]
    assert "UK postcode" in by_line[10][0]
    assert "both latitude and longitude" in by_line[11][0]
    assert "also on line 2" in by_line[12][0]
    assert db.session.scalar(sa.select(School).where(School.urn == "120001")) is None


def test_contact_email_of_another_schools_user_is_refused(
    app: Flask, make: type[Factories]
) -> None:
    other = make.school(name="Other School", urn="130000")
    make.user(other, name="Existing Person", email="taken@example.org")
    text = f"{SCHOOL_HEADER}\nNew Primary,120010,Lincoln,,,,primary,10,Someone,Taken@Example.org\n"

    result = import_schools(text)

    assert not result.ok
    assert result.errors == [
        (2, "contact_email taken@example.org already belongs to Existing Person (Other School)")
    ]
    assert db.session.scalar(sa.select(School).where(School.urn == "120010")) is None


def test_unknown_column_is_refused_with_the_allowed_list(app: Flask) -> None:
    text = "Name, URN ,Headteacher,Website\nA School,120001,Someone,example.org\n"

    result = import_schools(text)

    assert not result.ok
    [(line, message)] = result.errors
    assert line == 1
    assert "Unknown columns: Headteacher, Website" in message
    assert "Allowed columns: name, urn, town" in message
    assert counts()["School"] == 0


def test_missing_required_column_is_refused(app: Flask) -> None:
    result = import_posts("school,kind,title\n120001,offer,A title\n")

    assert not result.ok
    assert result.errors[0][0] == 1
    assert "Missing required column: external_id" in result.errors[0][1]


def test_header_is_trimmed_case_insensitive_and_bom_is_accepted(app: Flask) -> None:
    data = "\ufeff NAME ,Urn,Town\r\nBOM Primary,120011,Lincoln\r\n".encode()

    result = import_schools(data)

    assert result.ok, result.errors
    school = db.session.scalar(sa.select(School))
    assert (school.name, school.urn, school.town) == ("BOM Primary", "120011", "Lincoln")


def test_excel_windows_csv_is_read(app: Flask) -> None:
    data = "name,town\nSt Mary\u2019s Primary,Lincoln\n".encode("cp1252")

    result = import_schools(data)

    assert result.ok, result.errors
    assert db.session.scalar(sa.select(School.name)) == "St Mary\u2019s Primary"


# ----- posts -----------------------------------------------------------------------------------


def test_post_import_creates_open_posts_with_tags(app: Flask, make: type[Factories]) -> None:
    seed_tags(make)
    assert import_schools(SCHOOLS_CSV.read_bytes()).ok

    result = import_posts(POSTS_CSV.read_bytes())

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    offer = db.session.scalar(sa.select(Post).where(Post.external_id == "BRK-01"))
    assert offer.kind == PostKind.OFFER
    assert offer.school.urn == "120001"
    assert offer.author is None
    assert offer.status == PostStatus.OPEN
    assert offer.format == PostFormat.IN_PERSON
    assert offer.capacity == 2
    assert offer.description == (
        "Watch a mastery lesson,\nthen talk it through with our maths lead."
    )
    assert [t.slug for t in offer.tags] == ["coaching", "maths-mastery"]
    request = db.session.scalar(sa.select(Post).where(Post.external_id == "SLT-01"))
    assert request.kind == PostKind.REQUEST
    assert request.capacity is None
    assert request.school.name == "Saltmarsh Church of England Primary School"
    assert [t.slug for t in request.tags] == ["send"]
    assert request.free_tags == ["mentoring"]
    assert request.time_commitment == "A monthly call"


def test_reimporting_the_same_posts_file_changes_nothing(app: Flask, make: type[Factories]) -> None:
    seed_tags(make)
    assert import_schools(SCHOOLS_CSV.read_bytes()).ok
    assert import_posts(POSTS_CSV.read_bytes()).ok
    before_counts, before_values = counts(), post_values()

    again = import_posts(POSTS_CSV.read_bytes())

    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert counts() == before_counts
    assert post_values() == before_values  # updated_at untouched too


def test_post_import_updates_changed_rows(app: Flask, make: type[Factories]) -> None:
    seed_tags(make)
    assert import_schools(SCHOOLS_CSV.read_bytes()).ok
    assert import_posts(POSTS_CSV.read_bytes()).ok
    changed = POSTS_CSV.read_text().replace("Half a day", "A whole day")

    result = import_posts(changed)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    post = db.session.scalar(sa.select(Post).where(Post.external_id == "BRK-01"))
    assert post.time_commitment == "A whole day"


def test_bad_posts_file_reports_every_line_and_writes_nothing(
    app: Flask, make: type[Factories]
) -> None:
    make.school(name="Known School", urn="120001")
    long_title = "x" * 151
    text = "\n".join(
        [
            "external_id,school,kind,title,description,tags,format,capacity",  # line 1
            'P1,120001,offer,Fine,"Runs over\ntwo lines",,either,2',  # lines 2-3, fine
            "P1,120001,offer,Same id,,,either,2",  # line 4
            "P2,Unknown School,offer,No such school,,,either,2",  # line 5
            "P3,120001,gift,Bad kind,,,either,",  # line 6
            "P4,120001,offer,Bad format,,,zoom,2",  # line 7
            "P5,120001,offer,No capacity,,,either,",  # line 8
            "P6,Known School,request,Request with capacity,,,either,3",  # line 9
            f"P7,120001,offer,{long_title},,,either,1",  # line 10
            "P8,120001,offer,,,,either,1",  # line 11
            "P9,120001,offer,Zero capacity,,,either,0",  # line 12
            ",120001,offer,No id,,,either,1",  # line 13
        ]
    )
    before = counts()

    result = import_posts(text)

    assert not result.ok
    assert counts() == before
    messages = dict(result.errors)
    assert sorted(messages) == [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert messages[4] == "external_id P1 is also on line 2"
    assert messages[5] == "no school has the URN or name “Unknown School”"
    assert messages[6] == "kind must be offer or request, not “gift”"
    assert "format must be in_person, remote or either" in messages[7]
    assert "capacity is needed for an offer" in messages[8]
    assert messages[9] == "capacity must be empty for a request"
    assert messages[10] == "title is 151 characters; it must be 150 or fewer"
    assert messages[11] == "title is missing"
    assert "1 or more" in messages[12]
    assert messages[13] == "external_id is missing"


def test_post_import_accepts_a_150_character_title(app: Flask, make: type[Factories]) -> None:
    make.school(name="Known School", urn="120001")
    title = "t" * 150
    result = import_posts(f"external_id,school,kind,title\nP1,120001,request,{title}\n")
    assert result.ok, result.errors
    assert db.session.scalar(sa.select(Post.title)) == title


# ----- command line ----------------------------------------------------------------------------


def test_cli_import_success_prints_counts(app: Flask, outbox: Path) -> None:
    runner = app.test_cli_runner()

    result = runner.invoke(args=["import", "schools", str(SCHOOLS_CSV), "--invite"])

    assert result.exit_code == 0, result.output
    assert "Schools: created 3, updated 0, unchanged 0." in result.output
    assert "2 invitations sent" in result.output
    assert len(list(outbox.glob("*.eml"))) == 2
    leader = db.session.scalar(sa.select(User).where(User.email == "jo.reed@saltmarsh.example.org"))
    assert leader.invited_at is not None

    again = runner.invoke(args=["import", "schools", str(SCHOOLS_CSV)])
    assert again.exit_code == 0
    assert "created 0, updated 0, unchanged 3" in again.output


def test_cli_import_errors_go_to_stderr_with_exit_status_1(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD_SCHOOLS)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["import", "schools", str(path)])

    assert result.exit_code == 1
    assert f"{path}:3: URN must be 6 digits" in result.stderr
    assert f"{path}:5: URN 120001 is also on line 2" in result.stderr
    assert "Nothing was imported" in result.stderr
    assert result.stdout == ""
    assert counts()["School"] == 0


def test_cli_post_import_unknown_column(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text("external_id,school,kind,title,colour\nP1,1,offer,T,red\n")

    result = app.test_cli_runner().invoke(args=["import", "posts", str(path)])

    assert result.exit_code == 1
    assert f"{path}:1: Unknown column: colour. Allowed columns: external_id" in result.stderr


# ----- web page --------------------------------------------------------------------------------


def upload(client: FlaskClient, kind: str, data: bytes, name: str = "file.csv", **extra: Any):
    form = {
        "csrf_token": csrf_token(client, "/coordinator/import/"),
        "kind": kind,
        "file": (io.BytesIO(data), name),
        **extra,
    }
    return client.post(
        "/coordinator/import/",
        data=form,
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_web_import_as_coordinator(
    app: Flask, client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    sign_in(client, make.coordinator())
    page = client.get("/coordinator/import/").get_data(as_text=True)
    assert "CSV format" in page
    assert "contact_email" in page

    response = upload(client, "schools", SCHOOLS_CSV.read_bytes(), invite="y")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Schools: created 3, updated 0, unchanged 0." in html
    assert counts()["School"] == 3
    assert len(list(outbox.glob("*.eml"))) == 2

    response = upload(client, "posts", POSTS_CSV.read_bytes())
    assert "Posts: created 3, updated 0, unchanged 0." in response.get_data(as_text=True)
    assert counts()["Post"] == 3


def audit_entries() -> list[tuple[str, int | None, str]]:
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    return [(e.action, e.actor_id, e.summary) for e in events]


def test_imports_that_change_something_are_audited(
    app: Flask, client: FlaskClient, make: type[Factories]
) -> None:
    coordinator = make.coordinator()
    sign_in(client, coordinator)
    upload(client, "schools", SCHOOLS_CSV.read_bytes())
    upload(client, "schools", SCHOOLS_CSV.read_bytes())  # unchanged: nothing to record
    upload(client, "schools", BAD_SCHOOLS.encode())  # refused: nothing saved or recorded
    upload(client, "posts", POSTS_CSV.read_bytes())

    assert audit_entries() == [
        ("import_schools", coordinator.id,
         "Imported schools from a CSV file: created 3, updated 0, unchanged 0"),
        ("import_posts", coordinator.id,
         "Imported posts from a CSV file: created 3, updated 0, unchanged 0"),
    ]
    assert "Imported schools from CSV" in client.get("/coordinator/audit/").get_data(
        as_text=True)


def test_command_line_import_is_audited_as_such(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["import", "schools", str(SCHOOLS_CSV)])
    assert result.exit_code == 0, result.output
    assert audit_entries() == [
        ("import_schools", None,
         "Imported schools from a CSV file on the command line: created 3, updated 0, "
         "unchanged 0"),
    ]


def test_web_import_shows_every_problem_and_writes_nothing(
    app: Flask, client: FlaskClient, make: type[Factories]
) -> None:
    sign_in(client, make.coordinator())

    response = upload(client, "schools", BAD_SCHOOLS.encode(), invite="y")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert "Nothing was imported: fix the 9 problems" in html
    assert "Line 3: URN must be 6 digits" in html
    assert "Line 5: URN 120001 is also on line 2" in html
    assert "Line 12:" in html
    assert 'value="schools" checked' in html  # the choices are kept
    assert counts()["School"] == 0


def test_web_import_lists_at_most_50_problems(
    app: Flask, client: FlaskClient, make: type[Factories]
) -> None:
    sign_in(client, make.coordinator())
    rows = [f"P{n},999999,offer,Title,,,either,1" for n in range(60)]
    data = (
        "external_id,school,kind,title,description,tags,format,capacity\n" + "\n".join(rows)
    ).encode()

    html = upload(client, "posts", data).get_data(as_text=True)

    assert "Line 51:" in html
    assert "Line 52:" not in html
    assert "and 10 more" in html


def test_web_import_needs_a_csv_file(
    app: Flask, client: FlaskClient, make: type[Factories]
) -> None:
    sign_in(client, make.coordinator())
    html = upload(client, "schools", b"name\nX\n", name="schools.xlsx").get_data(as_text=True)
    assert "The file must be a CSV file" in html
    assert counts()["School"] == 0


def test_leader_cannot_import(app: Flask, client: FlaskClient, make: type[Factories]) -> None:
    sign_in(client, make.user(make.school()))
    assert client.get("/coordinator/import/").status_code == 403
    response = client.post(
        "/coordinator/import/",
        data={
            "csrf_token": page_csrf_token(client, "/coordinator/import/"),
            "kind": "schools",
            "file": (io.BytesIO(b"name\nX\n"), "x.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert counts()["School"] == 1
