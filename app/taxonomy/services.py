"""The partnership's expertise taxonomy: seeding, tag resolution, and the matcher's view of it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import RetiredAlias, RetiredConcept, Tag, TagAlias
from matching.taxonomy import normalise


def _shipped_json(name: str) -> Any:
    """A data file the matching library ships (matching/data/NAME), parsed."""
    return json.loads(resources.files("matching").joinpath("data", name).read_text("utf-8"))


def default_taxonomy() -> dict[str, Any]:
    """The taxonomy file the matching library ships (matching/data/taxonomy.json)."""
    return _shipped_json("taxonomy.json")


def seed_taxonomy(data: dict[str, Any] | None = None) -> int:
    """Load concepts and aliases that the database lacks; returns how many concepts were added.

    Idempotent: existing concepts (by slug) keep the coordinators' edits, and concepts they
    merged into others stay merged.
    """
    data = data or default_taxonomy()
    existing = {t.slug: t for t in db.session.scalars(sa.select(Tag))}
    by_id = {t.id: t for t in existing.values()}
    # Every tag is loaded already, so a retired slug's concept is looked up, not queried.
    retired = {
        slug: by_id.get(into) if into is not None else None
        for slug, into in db.session.execute(
            sa.select(RetiredConcept.slug, RetiredConcept.merged_into_id)
        ).tuples()
    }
    added: dict[str, Tag] = {}
    for concept in data["concepts"]:
        if concept["id"] in existing or concept["id"] in retired:
            continue
        tag = Tag(slug=concept["id"], label=concept["label"])
        for text in concept.get("aliases", []):
            tag.aliases.append(TagAlias(text=text, normalised=normalise(text)))
        for text in concept.get("abbreviations", []):
            tag.aliases.append(
                TagAlias(text=text, normalised=normalise(text), is_abbreviation=True)
            )
        added[concept["id"]] = tag
        db.session.add(tag)
    # A new concept whose shipped parent was merged away goes under the concept it became.
    known = {slug: tag for slug, tag in retired.items() if tag is not None} | existing | added
    for concept in data["concepts"]:
        if concept["id"] in added and concept.get("parent"):
            added[concept["id"]].parent = known.get(concept["parent"])
    db.session.commit()
    return len(added)


def shipped_moves() -> list[dict[str, Any]]:
    """Names a release moved from one shipped concept to another (taxonomy_moves.json)."""
    return _shipped_json("taxonomy_moves.json")["moves"]


def apply_shipped_moves(moves: list[dict[str, Any]] | None = None) -> int:
    """Move names that a release moved between concepts, where the database still has them
    on the old concept; returns how many were moved.

    Without this an upgraded partnership keeps "coach hire" on transport after the release
    gave it a concept of its own. A name a coordinator removed from the new concept, or that
    a third concept has since taken, is left where it is. A move marked ``"abbreviation":
    true`` moves a short form ("Thrive") rather than an alias.
    """
    moves = shipped_moves() if moves is None else moves
    query = sa.select(Tag).options(selectinload(Tag.aliases))
    tags = {t.slug: t for t in db.session.scalars(query)}
    by_id = {t.id: t for t in tags.values()}
    # A concept merged away hands its moves to the concept it became.
    for slug, into in db.session.execute(
        sa.select(RetiredConcept.slug, RetiredConcept.merged_into_id)
    ).tuples():
        if into in by_id:
            tags.setdefault(slug, by_id[into])
    retired = set(
        db.session.execute(
            sa.select(RetiredAlias.tag_id, RetiredAlias.normalised, RetiredAlias.is_abbreviation)
        ).tuples()
    )
    # Who holds each name, aliases and abbreviations apart (the same text may be both).
    owners: dict[tuple[str, bool], set[int]] = {}
    for tag in tags.values():
        for alias in tag.aliases:
            owners.setdefault((alias.normalised, alias.is_abbreviation), set()).add(tag.id)
    moved = 0
    for move in moves:
        source, target = tags.get(move["from"]), tags.get(move["to"])
        abbreviation = bool(move.get("abbreviation", False))
        key = normalise(move["name"])
        if source is None or target is None or source.id == target.id:
            continue
        old = [a for a in source.aliases
               if a.normalised == key and a.is_abbreviation == abbreviation]
        if not old or (target.id, key, abbreviation) in retired:
            continue
        holders = owners[(key, abbreviation)]
        if holders - {source.id, target.id}:
            continue
        for alias in old:
            source.aliases.remove(alias)
        holders.discard(source.id)
        if target.id not in holders:
            target.aliases.append(TagAlias(text=move["name"], normalised=key,
                                           is_abbreviation=abbreviation))
            holders.add(target.id)
        moved += 1
    db.session.commit()
    return moved


def load_shipped_taxonomy() -> tuple[int, int, int]:
    """Bring the database up to the shipped taxonomy: new concepts, moved names, then new
    names (moves first, so a moved name is not skipped as another concept's); returns
    (concepts added, names added, names moved)."""
    added = seed_taxonomy()
    moved = apply_shipped_moves()
    return added, add_shipped_names(), moved


def add_shipped_names(data: dict[str, Any] | None = None) -> int:
    """Add the shipped aliases and abbreviations that concepts already here lack; returns how
    many were added.

    A release's new vocabulary ("Y6 mod") thus reaches a running partnership. A name is left
    out if a coordinator removed it from that concept, or another concept already uses it.
    """
    data = data or default_taxonomy()
    query = sa.select(Tag).options(selectinload(Tag.aliases))
    tags = {t.slug: t for t in db.session.scalars(query)}
    retired = set(
        db.session.execute(
            sa.select(RetiredAlias.tag_id, RetiredAlias.normalised, RetiredAlias.is_abbreviation)
        ).tuples()
    )
    owner: dict[str, int] = {}  # a label or alias -> the concept that uses it
    for tag in tags.values():
        owner.setdefault(normalise(tag.label), tag.id)
        for alias in tag.aliases:
            if not alias.is_abbreviation:
                owner.setdefault(alias.normalised, tag.id)
    added = 0
    for concept in data["concepts"]:
        tag = tags.get(concept["id"])
        if tag is None:
            continue
        have = {(a.normalised, a.is_abbreviation) for a in tag.aliases}
        for is_abbreviation, texts in (
            (False, concept.get("aliases", [])),
            (True, concept.get("abbreviations", [])),
        ):
            for text in texts:
                key = normalise(text)
                if (
                    not key
                    or (key, is_abbreviation) in have
                    or (tag.id, key, is_abbreviation) in retired
                    or (not is_abbreviation and owner.get(key, tag.id) != tag.id)
                ):
                    continue
                tag.aliases.append(
                    TagAlias(text=text, normalised=key, is_abbreviation=is_abbreviation)
                )
                have.add((key, is_abbreviation))
                if not is_abbreviation:
                    owner[key] = tag.id
                added += 1
    db.session.commit()
    return added


def tag_lookup() -> dict[str, Tag]:
    """normalised label/alias/slug -> concept, for mapping typed tags onto the taxonomy."""
    tags = db.session.scalars(sa.select(Tag).options(selectinload(Tag.aliases))).all()
    lookup: dict[str, Tag] = {}
    # Aliases first, so a concept's own label or slug wins over another's alias.
    for tag in tags:
        for alias in tag.aliases:
            lookup.setdefault(alias.normalised, tag)
    for tag in tags:
        lookup[normalise(tag.slug.replace("-", " "))] = tag
        lookup[normalise(tag.label)] = tag
    return lookup


def resolve_tags(
    typed: Iterable[str], lookup: dict[str, Tag] | None = None
) -> tuple[list[Tag], list[str]]:
    """Split typed tags into taxonomy concepts and free tags (kept as written, de-duplicated)."""
    lookup = lookup if lookup is not None else tag_lookup()
    concepts: list[Tag] = []
    free: list[str] = []
    seen: set[str] = set()
    for raw in typed:
        text = " ".join(raw.split())
        key = normalise(text)
        if not key or key in seen:
            continue
        seen.add(key)
        tag = lookup.get(key)
        if tag is not None:
            if tag not in concepts:
                concepts.append(tag)
        else:
            free.append(text[:60])
    return concepts, free


def split_tag_input(value: str) -> list[str]:
    """Tags typed in one box, separated by commas, semicolons or new lines."""
    parts = value.replace(";", ",").replace("\n", ",").split(",")
    return [p.strip() for p in parts if p.strip()]


def descendant_ids(tag_id: int) -> list[int]:
    """The concept and every concept below it (one query: the whole tree is small)."""
    parents = dict(db.session.execute(sa.select(Tag.id, Tag.parent_id)).tuples().all())
    result = [tag_id]
    frontier = [tag_id]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        result.extend(frontier)
    return result


def matcher_taxonomy() -> dict[str, Any]:
    """The coordinators' edited taxonomy in the matching library's dict format.

    Plain rows, not ORM objects: a few thousand aliases load in milliseconds this way.
    """
    tags = db.session.execute(sa.select(Tag.id, Tag.slug, Tag.label, Tag.parent_id)).all()
    slugs = {t.id: t.slug for t in tags}
    aliases: dict[int, tuple[list[str], list[str]]] = {t.id: ([], []) for t in tags}
    for tag_id, text, is_abbreviation in db.session.execute(
        sa.select(TagAlias.tag_id, TagAlias.text, TagAlias.is_abbreviation).order_by(
            TagAlias.tag_id, TagAlias.text
        )
    ):
        aliases[tag_id][1 if is_abbreviation else 0].append(text)
    return {
        "version": 1,
        "concepts": [
            {
                "id": t.slug,
                "label": t.label,
                "parent": slugs.get(t.parent_id) if t.parent_id else None,
                "aliases": aliases[t.id][0],
                "abbreviations": aliases[t.id][1],
            }
            for t in tags
        ],
    }
