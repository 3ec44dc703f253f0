"""Exporting a run's suggestions as CSV: from the command line and from the review page."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import MatchRun, Post, SuggestionStatus
from tests.conftest import sign_in
from tests.factories import Factories
from tests.test_review import make_run, offer, request_post, suggest

HEADER = "request_id,request_external_id,offer_id,offer_external_id,score,status,reasons"


@dataclass
class Runs:
    old: MatchRun
    run: MatchRun
    r1: Post
    o1: Post
    r2: Post
    o2: Post


def two_runs() -> Runs:
    old = make_run(date(2026, 11, 16))
    suggest(old, request_post(), offer(), 0.5)
    run = make_run(date(2026, 11, 23))
    r1 = request_post(external_id="REQ-1")
    o1 = offer(external_id="OFF-1")
    r2 = request_post()
    o2 = offer()
    suggest(run, r1, o1, 0.8123)
    s2 = suggest(run, r2, o2, 0.6, status=SuggestionStatus.REJECTED, reject_reason="No")
    s2.reasons = ['Both mention "RSE", PSHE']
    db.session.commit()
    return Runs(old=old, run=run, r1=r1, o1=o1, r2=r2, o2=o2)


def expected_rows(d: Runs) -> list[str]:
    return [
        HEADER,
        f"{d.r1.id},REQ-1,{d.o1.id},OFF-1,0.812,pending,You both mention phonics; 12 miles apart",
        f'{d.r2.id},,{d.o2.id},,0.600,rejected,"Both mention ""RSE"", PSHE"',
    ]


def test_export_writes_the_latest_run(app: Flask, tmp_path: Path) -> None:
    d = two_runs()
    target = tmp_path / "suggestions.csv"

    result = app.test_cli_runner().invoke(args=["export", "suggestions", str(target)])

    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Wrote 2 suggestions from run {d.run.id} (week of 23 November 2026) to {target}\n"
    )
    assert target.read_text("utf-8").splitlines() == expected_rows(d)
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8"))))
    assert rows[1]["reasons"] == 'Both mention "RSE", PSHE'


def test_export_a_chosen_run(app: Flask, tmp_path: Path) -> None:
    d = two_runs()
    target = tmp_path / "old.csv"
    result = app.test_cli_runner().invoke(
        args=["export", "suggestions", "--run", str(d.old.id), str(target)]
    )
    assert result.exit_code == 0, result.output
    lines = target.read_text("utf-8").splitlines()
    assert lines[0] == HEADER and len(lines) == 2 and ",0.500,pending," in lines[1]


def test_export_without_a_run_fails_clearly(app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "none.csv"
    result = app.test_cli_runner().invoke(args=["export", "suggestions", str(target)])
    assert result.exit_code != 0
    assert "There are no match runs yet" in result.output
    assert not target.exists()

    make_run()
    result = app.test_cli_runner().invoke(
        args=["export", "suggestions", "--run", "999", str(target)]
    )
    assert result.exit_code != 0
    assert "There is no match run 999" in result.output
    assert not target.exists()


def test_review_page_download_matches_the_command(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    d = two_runs()
    sign_in(client, Factories.coordinator())
    html = client.get("/coordinator/review/").get_data(as_text=True)
    link = f"/coordinator/review/runs/{d.run.id}/suggestions.csv"
    assert link in html

    response = client.get(link)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).splitlines() == expected_rows(d)
    assert client.get("/coordinator/review/runs/999/suggestions.csv").status_code == 404
