"""Pages behind the links in emails: answer a suggestion, unsubscribe, preferences.

No sign-in is needed: the signed token in the address says who is acting and on what. Opening
a link (GET) never changes anything, so mail scanners that follow links are harmless; the one
button on each page (a POST) acts.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.auth.services import describe_duration
from app.extensions import csrf
from app.models import Answer, User
from app.replies import services
from app.replies.forms import AnswerWithReasonForm, ConfirmAnswerForm, PreferencesForm
from app.replies.links import preferences_url
from app.replies.services import LinkProblem
from app.security import ERROR_TITLES, login_required, redisplay_on_csrf_error

bp = Blueprint("replies", __name__)


def _link_problem(problem: LinkProblem, kind: str) -> ResponseReturnValue:
    """The page for a link that cannot be used, saying what to do instead."""
    if problem.kind == "forbidden":
        return (
            render_template("errors/error.html", code=403, title=ERROR_TITLES[403]),
            problem.status,
        )
    template = "replies/closed.html" if problem.kind == "closed" else "replies/link_problem.html"
    return (
        render_template(
            template,
            kind=kind,
            expired=problem.kind == "expired",
            lasts=describe_duration(int(current_app.config["REPLY_LINK_MAX_AGE"])),
        ),
        problem.status,
    )


# --- answering a suggestion ------------------------------------------------------------------


@bp.route("/reply/<token>", methods=["GET", "POST"])
@redisplay_on_csrf_error
def answer(token: str) -> ResponseReturnValue:
    try:
        link = services.open_reply_link(token)
    except LinkProblem as problem:
        return _link_problem(problem, "reply")
    page = services.reply_page(link)
    if page.partnership is not None:
        # Introduced already: answers no longer change; show where things stand.
        if request.method == "POST":
            return redirect(url_for("replies.answered", token=token))
        return render_template("replies/answered.html", page=page, token=token)
    form: ConfirmAnswerForm | AnswerWithReasonForm
    if link.answer == Answer.INTERESTED:
        form = ConfirmAnswerForm()
    else:
        form = AnswerWithReasonForm()
        form.reason.choices = services.reason_choices(link.side)
    if form.validate_on_submit():
        if isinstance(form, AnswerWithReasonForm):
            services.record_answer(link, reason=form.reason.data, note=form.note.data)
        else:
            services.record_answer(link)
        return redirect(url_for("replies.answered", token=token))
    return render_template(
        "replies/answer.html", page=page, form=form, note_max=services.NOTE_MAX_LENGTH
    )


@bp.get("/reply/<token>/answered")
def answered(token: str) -> ResponseReturnValue:
    """Where things stand after answering (also safe to open from a bookmark)."""
    try:
        link = services.open_reply_link(token)
    except LinkProblem as problem:
        return _link_problem(problem, "reply")
    return render_template("replies/answered.html", page=services.reply_page(link), token=token)


# --- unsubscribe -----------------------------------------------------------------------------


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
# RFC 8058 one-click unsubscribe: a mail provider POSTs "List-Unsubscribe=One-Click" with no
# CSRF token. The signed token in the address is what authorises it, and the only change it can
# make is to stop email, so this one view is exempt from CSRF.
@csrf.exempt
def unsubscribe(token: str) -> ResponseReturnValue:
    try:
        user = services.unsubscribe_user(token)
    except LinkProblem as problem:
        return _link_problem(problem, "unsubscribe")
    if request.method == "POST":
        services.unsubscribe(user)
        if request.form.get("List-Unsubscribe") == "One-Click":
            # A mail provider, not a person: a quick 200 is all it needs.
            return "Unsubscribed from the weekly digest.", 200, {"Content-Type": "text/plain"}
        # The page it returns to says so; no flash needed.
        return redirect(url_for("replies.unsubscribe", token=token))
    return render_template(
        "replies/unsubscribe.html",
        user=user,
        subscribed=user.digest_enabled,
        # A deactivated person's preferences link would not open, so offer none.
        preferences_link=preferences_url(user) if user.active else None,
    )


# --- preferences -----------------------------------------------------------------------------


def _preferences_page(user: User, action: str) -> ResponseReturnValue:
    # On a POST the form shows what was sent (also after a CSRF failure), not what is saved.
    form = PreferencesForm(obj=None if request.method == "POST" else user)
    if form.validate_on_submit():
        services.save_preferences(user, form.preferences())
        flash("Your email preferences are saved", "success")
        return redirect(action)
    return render_template("replies/preferences.html", form=form, action=action, user=user)


@bp.route("/preferences/<token>", methods=["GET", "POST"])
@redisplay_on_csrf_error
def preferences(token: str) -> ResponseReturnValue:
    try:
        user = services.preferences_user(token)
    except LinkProblem as problem:
        return _link_problem(problem, "preferences")
    return _preferences_page(user, url_for("replies.preferences", token=token))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
@redisplay_on_csrf_error
def my_preferences() -> ResponseReturnValue:
    return _preferences_page(g.user, url_for("replies.my_preferences"))
