"""backfill retired concepts from the merge history

Merges made before retired_concept existed left no record, so reloading the shipped taxonomy
would bring each merged shipped concept back once. The audit log names every merged concept's
label and the concept it went into; where that label is a shipped concept's and its slug is
no longer in use, the slug is recorded as retired into that concept (or into the concept a
later merge folded that one into).

Revision ID: db5123e78182
Revises: 0fd1131bfd7d
Create Date: 2026-12-05 22:05:00

"""
import json
from importlib import resources

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'db5123e78182'
down_revision = '0fd1131bfd7d'
branch_labels = None
depends_on = None

tag = sa.table("tag", sa.column("id", sa.Integer), sa.column("slug", sa.String))
retired_concept = sa.table(
    "retired_concept",
    sa.column("slug", sa.String),
    sa.column("merged_into_id", sa.Integer),
    sa.column("retired_at", sa.DateTime(timezone=True)),
)
audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("subject_id", sa.Integer),
    sa.column("details", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _key(label):
    return " ".join(str(label).split()).casefold()


def upgrade():
    shipped = json.loads(
        resources.files("matching").joinpath("data/taxonomy.json").read_text("utf-8"))
    slug_of = {_key(c["label"]): c["id"] for c in shipped["concepts"]}
    conn = op.get_bind()
    tag_ids = dict(conn.execute(sa.select(tag.c.slug, tag.c.id)).all())
    known = set(tag_ids) | set(conn.execute(sa.select(retired_concept.c.slug)).scalars())
    found = {}  # slug -> [concept it went into, when]
    merges = conn.execute(
        sa.select(audit_event.c.subject_id, audit_event.c.details, audit_event.c.created_at)
        .where(audit_event.c.action == "merge_concepts")
        .order_by(audit_event.c.created_at, audit_event.c.id)
    ).all()
    for target, details, when in merges:
        details = details or {}
        # A concept merged earlier into this merge's source now lives in its target.
        for entry in found.values():
            if entry[0] == details.get("source"):
                entry[0] = target
        slug = slug_of.get(_key(details.get("source_label", "")))
        if slug is not None and slug not in known:
            found[slug] = [target, when]
    live = set(tag_ids.values())
    rows = [{"slug": slug, "merged_into_id": into if into in live else None, "retired_at": when}
            for slug, (into, when) in found.items()]
    if rows:
        op.bulk_insert(retired_concept, rows)


def downgrade():
    # The backfilled rows cannot be told from ones recorded by merges; the previous revision's
    # downgrade drops the table with them.
    pass
