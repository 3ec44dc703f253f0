"""Coordinator pages: the hub, schools, the taxonomy (with merges) and the outbox viewer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.admin import services
from app.extensions import db
from app.mail import Mail, send
from app.models import Post, PostKind, PostStatus, RetiredAlias, School, Tag, TagAlias, User
from app.taxonomy import services as taxonomy_services
from tests.conftest import csrf_token, sign_in
from tests.factories import Factories


@pytest.fixture
def coordinator_client(client: FlaskClient, make: type[Factories]) -> FlaskClient:
    sign_in(client, make.coordinator(name="Cora Ordinator"))
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


def alias(tag: Tag, text: str, abbreviation: bool = False) -> TagAlias:
    row = TagAlias(
        tag=tag, text=text, normalised=services.normalise(text), is_abbreviation=abbreviation
    )
    db.session.add(row)
    db.session.commit()
    return row


# ----- who may see these pages -----------------------------------------------------------------


def coordinator_paths(make: type[Factories], outbox: Path) -> list[str]:
    school = make.school()
    tag = make.tag("phonics")
    send([Mail(to="a@example.org", subject="Hi", text="Hello", html="<p>Hello</p>")])
    name = next(outbox.glob("*.eml")).name
    return [
        "/coordinator/",
        "/coordinator/schools/",
        "/coordinator/schools/new",
        f"/coordinator/schools/{school.id}/edit",
        "/coordinator/taxonomy/",
        "/coordinator/taxonomy/new",
        f"/coordinator/taxonomy/{tag.id}/edit",
        f"/coordinator/taxonomy/{tag.id}/merge",
        "/coordinator/outbox/",
        f"/coordinator/outbox/{name}",
        f"/coordinator/outbox/{name}/html",
        "/coordinator/import/",
    ]


def test_leaders_get_403_on_every_coordinator_page(
    app: Flask, client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    paths = coordinator_paths(make, outbox)
    sign_in(client, make.user(make.school()))
    for path in paths:
        assert client.get(path).status_code == 403, path
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/coordinator/").get_data(as_text=True)
    ).group(1)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(School))
    response = client.post(
        "/coordinator/schools/new", data={"csrf_token": token, "name": "Sneaky School"}
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(School)) == before
    assert client.post("/coordinator/taxonomy/load", data={"csrf_token": token}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(
    app: Flask, client: FlaskClient, make: type[Factories], outbox: Path
) -> None:
    for path in coordinator_paths(make, outbox):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/auth/sign-in" in response.headers["Location"]


# ----- hub -------------------------------------------------------------------------------------


def test_hub_shows_counts_and_links(
    app: Flask, coordinator_client: FlaskClient, make: type[Factories]
) -> None:
    school = make.school()
    make.user(school)
    make.post(school, kind=PostKind.OFFER)
    make.post(school, kind=PostKind.REQUEST)
    make.post(school, kind=PostKind.REQUEST, status=PostStatus.CLOSED)
    make.tag("phonics")

    html = coordinator_client.get("/coordinator/").get_data(as_text=True)

    values = re.findall(r'govuk-summary-list__value">(\d+)<', html)
    # schools, people (leader + coordinator), open offers, open requests, concepts
    assert values == ["1", "2", "1", "1", "1"]
    assert 'href="/coordinator/schools/"' in html
    assert 'href="/coordinator/taxonomy/"' in html
    assert 'href="/coordinator/import/"' in html
    assert 'href="/coordinator/outbox/"' in html
    if "people.index" in app.view_functions:
        assert 'href="/coordinator/people/' in html


def test_hub_hides_outbox_when_mail_goes_over_smtp(
    app: Flask, coordinator_client: FlaskClient
) -> None:
    app.config["SMTP_HOST"] = "smtp.example.org"
    assert "/coordinator/outbox/" not in coordinator_client.get("/coordinator/").get_data(
        as_text=True
    )
    assert coordinator_client.get("/coordinator/outbox/").status_code == 404


# ----- schools ---------------------------------------------------------------------------------


def test_school_list_shows_leaders_and_open_posts_in_constant_queries(
    app: Flask, coordinator_client: FlaskClient, make: type[Factories]
) -> None:
    first = make.school(name="Ash Primary", descriptors=["rural", "small school"], pupils=88)
    make.user(first)
    make.user(first)
    make.post(first)
    make.post(first, status=PostStatus.CLOSED)
    with count_queries() as one_school:
        html = coordinator_client.get("/coordinator/schools/").get_data(as_text=True)
    assert "Ash Primary" in html
    assert "rural, small school" in html
    row = re.search(r"Ash Primary.*?</tr>", html, re.S).group(0)
    numbers = re.findall(r'numeric">(\d*)</td>', row)
    assert numbers == ["88", "2", "1"]  # pupils, leaders, open posts

    for n in range(5):
        school = make.school(name=f"School {n}")
        make.user(school)
        make.post(school)
    with count_queries() as six_schools:
        coordinator_client.get("/coordinator/schools/")
    assert len(six_schools) == len(one_school)


def test_add_school_checks_every_field_and_keeps_what_was_typed(
    app: Flask, coordinator_client: FlaskClient, make: type[Factories]
) -> None:
    make.school(name="Taken Primary", urn="111111")
    form = {
        "csrf_token": csrf_token(coordinator_client, "/coordinator/schools/new"),
        "name": "Taken Primary",
        "urn": "12345",
        "town": "Lincoln",
        "postcode": "not a postcode",
        "latitude": "53.2",
        "longitude": "",
        "phase": "primary",
        "pupils": "-3",
        "descriptors": "rural, seaside",
    }

    response = coordinator_client.post("/coordinator/schools/new", data=form)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "Another school already has this name" in html
    assert "URN must be 6 digits" in html
    assert "Enter a real UK postcode" in html
    assert "Enter both latitude and longitude, or neither" in html
    assert "Number of pupils must be a whole number" in html
    assert "Unknown descriptor: seaside" in html
    assert 'value="not a postcode"' in html
    assert 'value="rural, seaside"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(School)) == 1


def test_expired_form_keeps_what_was_typed(app: Flask, coordinator_client: FlaskClient) -> None:
    response = coordinator_client.post(
        "/coordinator/schools/new",
        data={"csrf_token": "expired", "name": "Typed Primary", "town": "Louth"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This page timed out" in html
    assert 'value="Typed Primary"' in html
    assert db.session.scalar(sa.select(School)) is None


def test_add_school_saves_normalised_values(app: Flask, coordinator_client: FlaskClient) -> None:
    form = {
        "csrf_token": csrf_token(coordinator_client, "/coordinator/schools/new"),
        "name": "  Brookfield Primary  ",
        "urn": "120001",
        "town": "Lincoln",
        "postcode": "ln11aa",
        "latitude": "53.2307",
        "longitude": "-0.5406",
        "phase": "infant",
        "pupils": "210",
        "descriptors": "Church School, rural",
    }

    response = coordinator_client.post("/coordinator/schools/new", data=form)

    assert response.status_code == 302
    school = db.session.scalar(sa.select(School))
    assert school.name == "Brookfield Primary"
    assert school.postcode == "LN1 1AA"
    assert (school.latitude, school.longitude) == (53.2307, -0.5406)
    assert school.phase == "infant"
    assert school.pupils == 210
    assert school.descriptors == ["rural", "church school"]


def test_latitude_outside_the_uk_is_refused(app: Flask, coordinator_client: FlaskClient) -> None:
    form = {
        "csrf_token": csrf_token(coordinator_client, "/coordinator/schools/new"),
        "name": "Paris Primary",
        "latitude": "48.85",
        "longitude": "2.35",
        "phase": "primary",
    }
    html = coordinator_client.post("/coordinator/schools/new", data=form).get_data(as_text=True)
    assert "Latitude must be between 49 and 61" in html
    assert db.session.scalar(sa.select(School)) is None


def test_edit_school(app: Flask, coordinator_client: FlaskClient, make: type[Factories]) -> None:
    school = make.school(name="Old Name", urn="222222", descriptors=["coastal"])
    make.school(name="Other School", urn="333333")
    path = f"/coordinator/schools/{school.id}/edit"
    page = coordinator_client.get(path).get_data(as_text=True)
    assert 'value="Old Name"' in page
    assert 'value="coastal"' in page
    token = csrf_token(coordinator_client, path)
    base = {"csrf_token": token, "name": "New Name", "urn": "222222", "phase": "primary"}

    clash = coordinator_client.post(path, data={**base, "urn": "333333"})
    assert "Another school already has this URN" in clash.get_data(as_text=True)

    response = coordinator_client.post(path, data={**base, "descriptors": ""})
    assert response.status_code == 302
    db.session.refresh(school)
    assert school.name == "New Name"
    assert school.urn == "222222"  # keeping its own URN is fine
    assert school.descriptors == []
    assert coordinator_client.get("/coordinator/schools/999/edit").status_code == 404


# ----- taxonomy --------------------------------------------------------------------------------


def test_taxonomy_groups_concepts_by_category_and_searches(
    app: Flask, coordinator_client: FlaskClient, make: type[Factories]
) -> None:
    curriculum = make.tag("curriculum", "Curriculum")
    reading = make.tag("reading", "Reading", parent=curriculum)
    phonics = make.tag("phonics", "Phonics", parent=reading)
    alias(phonics, "synthetic phonics")
    alias(make.tag("pe", "Physical education", parent=curriculum), "PE", abbreviation=True)
    make.tag("wellbeing", "Wellbeing")

    html = coordinator_client.get("/coordinator/taxonomy/").get_data(as_text=True)
    assert re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', html)[:2] == [
        "Curriculum",
        "Wellbeing",
    ]
    assert "synthetic phonics" in html

    found = coordinator_client.get("/coordinator/taxonomy/?q=Synthetic").get_data(as_text=True)
    assert ">Phonics</th>" in found
    assert ">Wellbeing</th>" not in found
    assert "1 concept matches" in found


def test_add_concept_generates_a_unique_slug_and_normalised_aliases(
    app: Flask, coordinator_client: FlaskClient, make: type[Factories]
) -> None:
    parent = make.tag("curriculum", "Curriculum")
    make.tag("early-reading", "Something else entirely")
    form = {
        "csrf_token": csrf_token(coordinator_client, "/coordinator/taxonomy/new"),
        "label": "Early Reading!",
        "parent": str(parent.id),
        "aliases": "Early-years reading,  Reading for pleasure ,",
        "abbreviations": "ER",
    }

    response = coordinator_client.post("/coordinator/taxonomy/new", data=form)

    assert response.status_code == 302
    tag = db.session.scalar(sa.select(Tag).where(Tag.label == "Early Reading!"))
    assert tag.slug == "early-reading-2"
    assert tag.parent_id == parent.id
    assert [(a.text, a.normalised, a.is_abbreviation) for a in tag.aliases] == [
        ("ER", "er", True),
        ("Early-years reading", "early years reading", False),
        ("Reading for pleasure", "reading for pleasure", False),
    ]


def test_add_concept_refuses_a_name_another_concept_uses(
    app: Flask, coordinator_client: FlaskClient, make: type[Factories]
) -> None:
    alias(make.tag("phonics", "Phonics"), "synthetic phonics")
    form = {
        "csrf_token": csrf_token(coordinator_client, "/coordinator/taxonomy/new"),
        "label": "Synthetic  PHONICS",
        "parent": "",
    }
    html = coordinator_client.post("/coordinator/taxonomy/new", data=form).get_data(as_text=True)
    assert "is already used by the concept “Phonics”" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tag)) == 1


def test_edit_concept_changes_label_parent_and_aliases(
    app: Flask, coordinator_client: FlaskClient, make: type[Factories]
) -> None:
    top = make.tag("curriculum", "Curriculum")
    tag = make.tag("maths", "Maths")
    alias(tag, "numeracy")
    alias(tag, "sums")
    path = f"/coordinator/taxonomy/{tag.id}/edit"
    page = coordinator_client.get(path).get_data(as_text=True)
    assert 'value="numeracy, sums"' in page

    response = coordinator_client.post(
        path,
        data={
            "csrf_token": csrf_token(coordinator_client, path),
            "label": "Mathematics",
            "parent": str(top.id),
            "aliases": "numeracy, maths mastery",
            "abbreviations": "",
        },
    )

    assert response.status_code == 302
    db.session.refresh(tag)
    assert tag.label == "Mathematics"
    assert tag.slug == "maths"  # slugs are stable
    assert tag.parent_id == top.id
    assert sorted(a.text for a in tag.aliases) == ["maths mastery", "numeracy"]


def test_taxonomy_cycle_is_refused(
    app: Flask, coordinator_client: FlaskClient, make: type[Factories]
) -> None:
    top = make.tag("curriculum", "Curriculum")
    middle = make.tag("reading", "Reading", parent=top)
    bottom = make.tag("phonics", "Phonics", parent=middle)

    # The service refuses it...
    with pytest.raises(services.TaxonomyError):
        services.update_concept(top, "Curriculum", bottom, [], [])
    db.session.rollback()
    # ...and the form does not even offer a concept's own descendants as its parent.
    path = f"/coordinator/taxonomy/{top.id}/edit"
    page = coordinator_client.get(path).get_data(as_text=True)
    assert f'value="{bottom.id}"' not in page
    response = coordinator_client.post(
        path,
        data={
            "csrf_token": csrf_token(coordinator_client, path),
            "label": "Curriculum",
            "parent": str(bottom.id),
        },
    )
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Tag, top.id).parent_id is None


def test_merge_moves_posts_aliases_and_children(
    app: Flask, coordinator_client: FlaskClient, make: type[Factories]
) -> None:
    target = make.tag("send", "Special educational needs")
    source = make.tag("sen", "SEN support")
    child = make.tag("autism", "Autism", parent=source)
    alias(target, "special needs")
    alias(source, "special needs")  # a duplicate: skipped
    alias(source, "additional needs")  # moves
    alias(source, "SEN", abbreviation=True)  # moves
    both = make.post(tags=[source, target])
    only_source = make.post(tags=[source])
    path = f"/coordinator/taxonomy/{source.id}/merge"
    token = csrf_token(coordinator_client, path)

    confirm = coordinator_client.post(path, data={"csrf_token": token, "target": str(target.id)})

    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "2 posts move" in html
    assert "Autism" in html
    assert db.session.get(Tag, source.id) is not None  # nothing happens before confirming

    done = coordinator_client.post(
        path, data={"csrf_token": token, "target": str(target.id), "confirm": "yes"}
    )

    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Tag, source.id) is None
    target = db.session.get(Tag, target.id)
    assert [t.slug for t in db.session.get(Post, both.id).tags] == ["send"]
    assert [t.slug for t in db.session.get(Post, only_source.id).tags] == ["send"]
    assert sorted((a.text, a.is_abbreviation) for a in target.aliases) == [
        ("SEN", True),
        ("SEN support", False),
        ("additional needs", False),
        ("special needs", False),
    ]
    assert db.session.get(Tag, child.id).parent_id == target.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TagAlias)) == 4


def test_merge_into_a_descendant_makes_no_cycle(app: Flask, make: type[Factories]) -> None:
    top = make.tag("curriculum", "Curriculum")
    source = make.tag("literacy", "Literacy", parent=top)
    middle = make.tag("reading", "Reading", parent=source)
    target = make.tag("phonics", "Phonics", parent=middle)

    services.merge_concepts(source, target)

    db.session.expire_all()
    assert db.session.get(Tag, target.id).parent_id == top.id
    assert db.session.get(Tag, middle.id).parent_id == target.id
    assert taxonomy_services.descendant_ids(top.id).count(target.id) == 1


def test_merge_needs_a_target(
    app: Flask, coordinator_client: FlaskClient, make: type[Factories]
) -> None:
    source = make.tag("sen", "SEN")
    path = f"/coordinator/taxonomy/{source.id}/merge"
    html = coordinator_client.post(
        path, data={"csrf_token": csrf_token(coordinator_client, path), "target": ""}
    ).get_data(as_text=True)
    assert "Choose the concept to merge into" in html


def test_load_shipped_taxonomy_button(
    app: Flask, coordinator_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = {
        "version": 1,
        "concepts": [
            {"id": "curriculum", "label": "Curriculum", "parent": None},
            {"id": "maths", "label": "Maths", "parent": "curriculum", "aliases": ["numeracy"]},
        ],
    }
    monkeypatch.setattr(taxonomy_services, "default_taxonomy", lambda: shipped)
    token = csrf_token(coordinator_client, "/coordinator/taxonomy/new")

    response = coordinator_client.post(
        "/coordinator/taxonomy/load", data={"csrf_token": token}, follow_redirects=True
    )

    assert "Added 2 concepts" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Tag.parent_id).where(Tag.slug == "maths")) is not None
    again = coordinator_client.post(
        "/coordinator/taxonomy/load", data={"csrf_token": token}, follow_redirects=True
    )
    assert "already has every shipped concept" in again.get_data(as_text=True)


def test_a_merged_concept_stays_merged_when_the_shipped_taxonomy_is_reloaded(
    app: Flask, coordinator_client: FlaskClient, make: type[Factories]
) -> None:
    send_tag = make.tag("send", "SEND")
    sen = make.tag("sen", "SEN", parent=send_tag)
    services.merge_concepts(sen, send_tag)
    # Later the two are merged on into a third: the first slug follows.
    inclusion = make.tag("inclusion", "Inclusion")
    services.merge_concepts(db.session.get(Tag, send_tag.id), inclusion)
    shipped = {
        "version": 1,
        "concepts": [
            {"id": "send", "label": "SEND", "parent": None},
            {"id": "sen", "label": "SEN", "parent": "send"},
            {"id": "send-autism", "label": "Autism", "parent": "sen", "aliases": ["ASD"]},
        ],
    }

    assert taxonomy_services.seed_taxonomy(shipped) == 1

    db.session.expire_all()
    slugs = set(db.session.scalars(sa.select(Tag.slug)))
    assert slugs == {"inclusion", "send-autism"}
    # A new shipped concept under a merged one goes under the concept it became.
    autism = db.session.scalar(sa.select(Tag).where(Tag.slug == "send-autism"))
    assert autism.parent_id == inclusion.id
    assert taxonomy_services.seed_taxonomy(shipped) == 0


def test_a_release_s_new_names_reach_concepts_already_here(
    app: Flask, make: type[Factories]
) -> None:
    moderation = make.tag("assessment-moderation", "Moderation")
    services.update_concept(moderation, "Moderation", None, ["moderation", "mod partners"], [])
    # A coordinator removed a name that misfired; another concept already uses one.
    services.update_concept(moderation, "Moderation", None, ["moderation"], [])
    other = make.tag("writing", "Writing")
    services.update_concept(other, "Writing", None, ["writing mod"], [])
    shipped = {
        "version": 1,
        "concepts": [
            {"id": "assessment-moderation", "label": "Moderation", "parent": None,
             "aliases": ["moderation", "Y6 mod", "mod partners", "writing mod"],
             "abbreviations": ["EXS"]},
        ],
    }

    assert taxonomy_services.add_shipped_names(shipped) == 2

    db.session.expire_all()
    tag = db.session.get(Tag, moderation.id)
    assert sorted((a.text, a.is_abbreviation) for a in tag.aliases) == [
        ("EXS", True), ("Y6 mod", False), ("moderation", False)]
    assert taxonomy_services.add_shipped_names(shipped) == 0
    # Typing a removed name in again forgets that it was removed.
    services.update_concept(tag, "Moderation", None, ["moderation", "Y6 mod", "mod partners"],
                            ["EXS"])
    services.update_concept(tag, "Moderation", None, ["moderation", "Y6 mod"], ["EXS"])
    assert taxonomy_services.add_shipped_names(shipped) == 0
    services.update_concept(tag, "Moderation", None, ["moderation", "Y6 mod", "Mod partners"],
                            ["EXS"])
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(RetiredAlias).where(
            RetiredAlias.tag_id == tag.id)) == 0


def test_load_shipped_taxonomy_button_adds_new_names(
    app: Flask, coordinator_client: FlaskClient, make: type[Factories],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    make.tag("maths", "Maths")
    shipped = {"version": 1, "concepts": [
        {"id": "maths", "label": "Maths", "parent": None, "aliases": ["numeracy", "sums"]}]}
    monkeypatch.setattr(taxonomy_services, "default_taxonomy", lambda: shipped)
    token = csrf_token(coordinator_client, "/coordinator/taxonomy/new")

    response = coordinator_client.post(
        "/coordinator/taxonomy/load", data={"csrf_token": token}, follow_redirects=True
    )

    assert "Added 0 concepts and 2 other names" in response.get_data(as_text=True)


def test_a_release_s_moved_names_follow_it_to_their_new_concept(
    app: Flask, make: type[Factories]
) -> None:
    transport = make.tag("business-transport", "Transport")
    services.update_concept(
        transport, "Transport", None, ["minibus", "coach hire", "coach travel", "coach trips"], [])
    # The new concept came in an earlier release; a coordinator removed one of its names.
    coach = make.tag("business-coach-hire", "Coach hire", parent=transport)
    services.update_concept(coach, "Coach hire", transport, ["coach hire", "coach trips"], [])
    services.update_concept(coach, "Coach hire", transport, ["coach hire"], [])
    sport = make.tag("pe", "PE")
    services.update_concept(sport, "PE", None, ["sports coach"], [])
    moves = [
        {"name": name, "from": "business-transport", "to": "business-coach-hire"}
        for name in ("coach hire", "coach travel", "coach trips", "sports coach")
    ]

    # "coach hire" leaves transport (the new concept has it already) and "coach travel"
    # moves across; "coach trips" stays, as a coordinator removed it from the new concept,
    # and "sports coach" was never on transport.
    assert taxonomy_services.apply_shipped_moves(moves) == 2

    db.session.expire_all()

    def names(slug: str) -> list[str]:
        tag = db.session.scalar(sa.select(Tag).where(Tag.slug == slug))
        return sorted(a.text for a in tag.aliases)

    assert names("business-transport") == ["coach trips", "minibus"]
    assert names("business-coach-hire") == ["coach hire", "coach travel"]
    assert names("pe") == ["sports coach"]
    assert taxonomy_services.apply_shipped_moves(moves) == 0


def test_a_release_s_moved_short_form_follows_it_and_the_alias_stays(
    app: Flask, make: type[Factories]
) -> None:
    nurture = make.tag("send-nurture", "Nurture")
    services.update_concept(nurture, "Nurture", None, ["nurture group", "Thrive"], ["Thrive"])
    thrive = make.tag("send-thrive", "Thrive", parent=nurture)
    moves = [{"name": "Thrive", "from": "send-nurture", "to": "send-thrive",
              "abbreviation": True}]

    assert taxonomy_services.apply_shipped_moves(moves) == 1

    db.session.expire_all()
    names = {(a.tag_id, a.text, a.is_abbreviation)
             for a in db.session.scalars(sa.select(TagAlias))}
    # The short form moved; the alias with the same text was not part of the move.
    assert (thrive.id, "Thrive", True) in names
    assert (nurture.id, "Thrive", True) not in names
    assert (nurture.id, "Thrive", False) in names
    assert taxonomy_services.apply_shipped_moves(moves) == 0


def test_taxonomy_seed_command_loads_then_has_nothing_left_to_do(app: Flask) -> None:
    runner = app.test_cli_runner()
    concepts = len(taxonomy_services.default_taxonomy()["concepts"])

    first = runner.invoke(args=["taxonomy", "seed"])
    again = runner.invoke(args=["taxonomy", "seed"])

    assert first.exit_code == 0, first.output
    assert first.output.startswith(f"Added {concepts} concepts and 0 other names; moved 0")
    assert again.output == ("Added 0 concepts and 0 other names; "
                            "moved 0 names to the concepts they now belong to.\n")


# ----- outbox ----------------------------------------------------------------------------------


def test_outbox_lists_and_shows_messages_safely(
    app: Flask, coordinator_client: FlaskClient, outbox: Path
) -> None:
    send(
        [
            Mail(
                to="head@example.org",
                subject="Your invitation",
                text="Hello <script>alert(1)</script>\nSet a password: "
                "https://givefirst.example/auth/invite/abc.def?x=1&y=2.\nThanks",
                html="<p>Hello</p><script>alert(1)</script>",
            )
        ]
    )

    listing = coordinator_client.get("/coordinator/outbox/").get_data(as_text=True)
    assert "head@example.org" in listing
    assert "Your invitation" in listing
    name = next(outbox.glob("*.eml")).name
    assert f'href="/coordinator/outbox/{name}"' in listing

    page = coordinator_client.get(f"/coordinator/outbox/{name}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert (
        '<a class="govuk-link" href="https://givefirst.example/auth/invite/abc.def?x=1&amp;y=2">'
        in page
    )
    assert f'href="/coordinator/outbox/{name}/html"' in page

    html = coordinator_client.get(f"/coordinator/outbox/{name}/html")
    assert html.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "default-src 'none'" in html.headers["Content-Security-Policy"]
    assert "<p>Hello</p>" in html.get_data(as_text=True)


def test_outbox_rejects_names_that_are_not_outbox_files(
    app: Flask, coordinator_client: FlaskClient, outbox: Path, tmp_path: Path
) -> None:
    (tmp_path / "secret.eml").write_text("Subject: secret\n\nsecret")
    outbox.mkdir(parents=True, exist_ok=True)
    for name in (
        "../secret.eml",
        "..%2Fsecret.eml",
        "%2e%2e%2fsecret.eml",
        "20261123-091500-1a2b3c4d.eml",  # the right shape, but no such file
        "notes.txt",
    ):
        assert coordinator_client.get(f"/coordinator/outbox/{name}").status_code == 404, name
        assert coordinator_client.get(f"/coordinator/outbox/{name}/html").status_code == 404
    assert services.read_outbox_message("../secret.eml") is None
    assert services.outbox_message_html("../../secret.eml") is None


def test_linkify_escapes_and_links() -> None:
    result = services.linkify('See <b>https://a.example/x?q="1"</b>, then http://b.example.')
    assert str(result) == (
        'See &lt;b&gt;<a class="govuk-link" href="https://a.example/x?q=">https://a.example/x?q='
        '</a>&#34;1&#34;&lt;/b&gt;, then <a class="govuk-link" href="http://b.example">'
        "http://b.example</a>."
    )


def test_hub_counts_only_active_people(app: Flask, make: type[Factories]) -> None:
    make.user(make.school(), active=False)
    assert services.dashboard_counts()["people"] == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
