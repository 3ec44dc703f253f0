"""Coordinator review of the matcher's suggestions."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from app.extensions import db
from app.models import MatchRun, PostKind, Suggestion, SuggestionStatus, utcnow
from app.review import services
from app.review.forms import (
    ActionForm,
    ApproveAboveForm,
    NoteForm,
    PairForm,
    RejectForm,
    RunNowForm,
    SwapForm,
)
from app.security import coordinator_required, redisplay_on_csrf_error

bp = Blueprint("review", __name__)


def _queue_url(suggestion_id: int | None = None) -> str:
    return url_for("review.index", _anchor=f"suggestion-{suggestion_id}" if suggestion_id else "")


def _note_form(suggestion: Suggestion) -> NoteForm:
    # Each card's note box needs its own ids; formdata=None so another form's POST can't blank it.
    return NoteForm(formdata=None, prefix=f"s{suggestion.id}", data={"note": suggestion.note})


def _render_index(
    *,
    run_form: RunNowForm | None = None,
    above_form: ApproveAboveForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    page = services.review_page()
    run_form = run_form or RunNowForm(formdata=None)
    above_form = above_form or ApproveAboveForm(
        formdata=None, data={"run": page.run.id if page.run else ""}
    )
    # The form with errors (if any) is `form`, so the page title starts "Error:".
    form = next((f for f in (run_form, above_form) if f.errors), None)
    return (
        render_template(
            "review/index.html",
            page=page,
            run_form=run_form,
            above_form=above_form,
            note_forms={item.suggestion.id: _note_form(item.suggestion) for item in page.pending},
            form=form,
        ),
        status,
    )


@bp.get("/")
@coordinator_required
def index() -> ResponseReturnValue:
    return _render_index()


@bp.post("/run")
@coordinator_required
@redisplay_on_csrf_error
def run_now() -> ResponseReturnValue:
    form = RunNowForm()
    if not form.validate_on_submit():
        return _render_index(run_form=form, status=400)
    outcome = services.run_matching(utcnow(), force=form.force.data, triggered_by=g.user)
    summary = outcome.summary
    if not outcome.created and outcome.run is not None:
        # The job's own wording names a command-line flag; coordinators have a tick box.
        summary = summary.replace("use --force to run again", "tick “Run again this week”")
    flash(summary, "success" if outcome.created else "info")
    return redirect(url_for("review.index"))


@bp.get("/suggestions/<int:suggestion_id>")
@coordinator_required
def suggestion(suggestion_id: int) -> ResponseReturnValue:
    s = services.get_suggestion(suggestion_id) or abort(404)
    return _render_suggestion(s, _note_form(s))


STATUS_TAGS = {
    SuggestionStatus.PENDING: ("Waiting for review", "govuk-tag--yellow"),
    SuggestionStatus.PUBLISHED: ("Published", "govuk-tag--green"),
    SuggestionStatus.REJECTED: ("Rejected", "govuk-tag--red"),
    SuggestionStatus.SUPERSEDED: ("Replaced by a later run", "govuk-tag--grey"),
}


def _render_suggestion(
    s: Suggestion, note_form: NoteForm, status: int = 200
) -> ResponseReturnValue:
    label, tag_class = STATUS_TAGS[s.status]
    return (
        render_template(
            "review/suggestion.html",
            item=services.suggestion_detail(s),
            note_form=note_form,
            form=note_form,
            pending=s.status == SuggestionStatus.PENDING,
            note_open=s.status in (SuggestionStatus.PENDING, SuggestionStatus.PUBLISHED),
            status_label=label,
            status_class=tag_class,
        ),
        status,
    )


@bp.post("/suggestions/<int:suggestion_id>/approve")
@coordinator_required
def approve(suggestion_id: int) -> ResponseReturnValue:
    s = services.get_suggestion(suggestion_id) or abort(404)
    if ActionForm().validate_on_submit():
        try:
            services.approve(s, g.user)
        except services.ReviewError as exc:
            flash(str(exc), "info")
            return redirect(url_for("review.suggestion", suggestion_id=s.id))
        flash(f"Published: {s.offer.school.name} could help {s.request.school.name}", "success")
    return redirect(_queue_url())


@bp.route("/suggestions/<int:suggestion_id>/reject", methods=["GET", "POST"])
@coordinator_required
@redisplay_on_csrf_error
def reject(suggestion_id: int) -> ResponseReturnValue:
    s = services.get_suggestion(suggestion_id) or abort(404)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            services.reject(s, form.reason.data, g.user)
        except services.ReviewError as exc:
            flash(str(exc), "info")
            return redirect(url_for("review.suggestion", suggestion_id=s.id))
        flash(f"Rejected: {s.offer.school.name} for {s.request.school.name}", "success")
        return redirect(_queue_url())
    return render_template("review/reject.html", s=s, form=form)


@bp.post("/suggestions/<int:suggestion_id>/swap")
@coordinator_required
def swap(suggestion_id: int) -> ResponseReturnValue:
    s = services.get_suggestion(suggestion_id) or abort(404)
    form = SwapForm()
    if form.validate_on_submit():
        offer_id = form.offer_id
        try:
            if offer_id is None:
                raise services.ReviewError("Choose one of the offers ranked behind this suggestion")
            offer = services.swap(s, offer_id, g.user)
        except services.ReviewError as exc:
            flash(str(exc), "info")
            return redirect(url_for("review.suggestion", suggestion_id=s.id))
        flash(
            f"Swapped: {offer.school.name} is now suggested for {s.request.school.name}",
            "success",
        )
    return redirect(_queue_url(s.id))


@bp.post("/suggestions/<int:suggestion_id>/note")
@coordinator_required
@redisplay_on_csrf_error
def note(suggestion_id: int) -> ResponseReturnValue:
    s = services.get_suggestion(suggestion_id) or abort(404)
    form = NoteForm(prefix=f"s{s.id}")
    if form.validate_on_submit():
        try:
            services.set_note(s, form.note.data, g.user)
        except services.ReviewError as exc:
            flash(str(exc), "info")
            return redirect(url_for("review.suggestion", suggestion_id=s.id))
        flash("Note saved" if s.note else "Note removed", "success")
        return redirect(_queue_url(s.id))
    # Shown on the suggestion's own page, with what was typed.
    return _render_suggestion(s, form, status=400)


@bp.post("/approve-above")
@coordinator_required
@redisplay_on_csrf_error
def approve_above() -> ResponseReturnValue:
    form = ApproveAboveForm()
    if not form.validate_on_submit():
        return _render_index(above_form=form, status=400)
    run_id = (form.run.data or "").strip()
    run = db.session.get(MatchRun, int(run_id)) if run_id.isdigit() else None
    if run is None:
        abort(404)
    count = services.approve_all_above(run, form.fraction, g.user)
    threshold = form.threshold.data.rstrip("%").strip()
    if count:
        noun = "suggestion" if count == 1 else "suggestions"
        flash(f"Published {count} {noun} scoring {threshold}% or more", "success")
    else:
        flash(f"No suggestions waiting for review score {threshold}% or more", "info")
    return redirect(_queue_url())


@bp.route("/pair/<int:post_id>", methods=["GET", "POST"])
@coordinator_required
@redisplay_on_csrf_error
def pair_by_hand(post_id: int) -> ResponseReturnValue:
    """Pair the request `post_id` with an offer the coordinator chooses."""
    request_post = services.get_post(post_id)
    if request_post is None or request_post.kind != PostKind.REQUEST:
        abort(404)
    offers = services.offers_for_pairing(request_post)
    form = PairForm()
    form.offer.choices = [("", "Choose an offer")] + [
        (str(o.id), f"{o.title} ({o.school.name})") for o in offers
    ]
    if form.validate_on_submit():
        offer = next(o for o in offers if str(o.id) == form.offer.data)
        try:
            services.pair_by_hand(request_post, offer, g.user, reason=form.reason.data or "")
        except services.ReviewError as exc:
            form.offer.errors = [str(exc)]
        else:
            flash(
                f"Paired and published: {offer.school.name} could help {request_post.school.name}",
                "success",
            )
            return redirect(_queue_url())
    return render_template(
        "review/pair.html",
        request_post=request_post,
        form=form,
        has_offers=bool(offers),
        has_run=services.latest_run() is not None,
    )


@bp.get("/runs/<int:run_id>/suggestions.csv")
@coordinator_required
def export_csv(run_id: int) -> ResponseReturnValue:
    run = services.get_run(run_id) or abort(404)
    return Response(
        services.suggestions_csv(run),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="suggestions-run-{run.id}.csv"'},
    )
