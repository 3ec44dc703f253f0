"""Partnership pages: the list, one partnership, its aims, impact, starting and withdrawing,
and the check-in answer page reached from an email."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from app.auth.services import describe_duration
from app.models import CheckInAnswer, Partnership, PartnershipStatus
from app.partnerships import services
from app.partnerships.forms import AimsForm, CheckInForm, ConfirmForm, ImpactForm, WithdrawForm
from app.replies.services import LinkProblem
from app.security import ERROR_TITLES, login_required, redisplay_on_csrf_error

bp = Blueprint("partnerships", __name__)


def _partnership_for(partnership_id: int, member_only: bool = False) -> Partnership:
    """The partnership if this person may see it (404 otherwise: its existence is private)."""
    partnership = services.get_partnership(partnership_id)
    if partnership is None or not services.can_view(g.user, partnership):
        abort(404)
    if member_only and not services.is_member(g.user, partnership):
        abort(403)
    return partnership


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    status = request.args.get("status", "")
    chosen = PartnershipStatus(status) if status in set(PartnershipStatus) else None
    return render_template(
        "partnerships/index.html",
        rows=services.partnership_list(g.user, chosen),
        status=chosen,
        statuses=services.STATUS_LABELS,
    )


@bp.get("/<int:partnership_id>")
@login_required
def view(partnership_id: int) -> ResponseReturnValue:
    partnership = _partnership_for(partnership_id)
    return render_template(
        "partnerships/view.html",
        page=services.partnership_page(partnership, g.user),
        start_form=ConfirmForm(),
        ratings=services.RATING_LABELS,
    )


@bp.route("/<int:partnership_id>/aims", methods=["GET", "POST"])
@login_required
@redisplay_on_csrf_error
def aims(partnership_id: int) -> ResponseReturnValue:
    partnership = _partnership_for(partnership_id, member_only=True)
    if partnership.status not in services.UNFINISHED:
        flash("This partnership has finished, so its aims can no longer change", "info")
        return redirect(url_for("partnerships.view", partnership_id=partnership.id))
    form = AimsForm(
        data=None
        if request.method == "POST"
        else {k: getattr(partnership, v) for k, v in AimsForm.field_names().items()}
    )
    if form.validate_on_submit():
        first_time = partnership.status == PartnershipStatus.INTRODUCED
        services.set_aims(partnership, form.aims(), g.user)
        flash("Your aims are agreed" if first_time else "Your aims are saved", "success")
        return redirect(url_for("partnerships.view", partnership_id=partnership.id))
    return render_template(
        "partnerships/aims.html",
        form=form,
        partnership_title=services.title(partnership),
        partnership=partnership,
    )


@bp.post("/<int:partnership_id>/start")
@login_required
def start(partnership_id: int) -> ResponseReturnValue:
    partnership = _partnership_for(partnership_id, member_only=True)
    if ConfirmForm().validate_on_submit():
        try:
            services.start(partnership, g.user)
        except services.IllegalTransition:
            flash("This partnership has already started or finished", "info")
        else:
            flash("Your partnership is under way", "success")
    return redirect(url_for("partnerships.view", partnership_id=partnership.id))


@bp.route("/<int:partnership_id>/impact", methods=["GET", "POST"])
@login_required
@redisplay_on_csrf_error
def impact(partnership_id: int) -> ResponseReturnValue:
    partnership = _partnership_for(partnership_id, member_only=True)
    if not services.can_record_impact(g.user, partnership):
        recorded = services.impact_of(partnership, g.user.school_id) is not None
        flash(
            "Your school has already recorded the impact of this partnership"
            if recorded
            else "You can record the impact once the partnership is under way",
            "info",
        )
        return redirect(url_for("partnerships.view", partnership_id=partnership.id))
    form = ImpactForm()
    if form.validate_on_submit():
        services.record_impact(partnership, form.impact(), g.user)
        flash("Thank you. Your impact is recorded", "success")
        return redirect(url_for("partnerships.view", partnership_id=partnership.id))
    return render_template(
        "partnerships/impact.html",
        form=form,
        partnership_title=services.title(partnership),
        partnership=partnership,
    )


@bp.route("/<int:partnership_id>/withdraw", methods=["GET", "POST"])
@login_required
@redisplay_on_csrf_error
def withdraw(partnership_id: int) -> ResponseReturnValue:
    partnership = _partnership_for(partnership_id)
    if not (services.is_member(g.user, partnership) or g.user.is_coordinator):
        abort(403)
    if partnership.status not in services.UNFINISHED:
        flash("This partnership has already finished", "info")
        return redirect(url_for("partnerships.view", partnership_id=partnership.id))
    form = WithdrawForm()
    if form.validate_on_submit():
        services.withdraw(partnership, form.reason.data or "", g.user)
        flash("The partnership is withdrawn", "success")
        return redirect(url_for("partnerships.view", partnership_id=partnership.id))
    return render_template(
        "partnerships/withdraw.html",
        form=form,
        partnership_title=services.title(partnership),
        partnership=partnership,
    )


# --- the check-in link from the email (a signed token, no sign-in) ---------------------------


@bp.route("/check-in/<token>", methods=["GET", "POST"])
@redisplay_on_csrf_error
def check_in(token: str) -> ResponseReturnValue:
    try:
        link = services.open_check_in_link(token)
    except LinkProblem as problem:
        if problem.kind == "forbidden":
            return render_template("errors/error.html", code=403, title=ERROR_TITLES[403]), 403
        return (
            render_template(
                "partnerships/check_in_problem.html",
                expired=problem.kind == "expired",
                closed=problem.kind == "closed",
                lasts=describe_duration(int(current_app.config["REPLY_LINK_MAX_AGE"])),
            ),
            problem.status,
        )
    form = CheckInForm()
    if form.validate_on_submit():
        services.answer_check_in(link, form.note.data or "")
        return render_template(
            "partnerships/check_in_done.html",
            link=link,
            labels=services.CHECK_IN_LABELS,
            partnership_title=services.title(link.partnership),
        )
    return render_template(
        "partnerships/check_in.html",
        form=form,
        link=link,
        partnership_title=services.title(link.partnership),
        label=services.CHECK_IN_LABELS[link.answer],
        private=link.answer == CheckInAnswer.NOT_WORKING,
        other_answers={
            services.CHECK_IN_LABELS[a]: url_for(
                "partnerships.check_in",
                token=services.check_in_token(link.check_in, link.user, a),
            )
            for a in CheckInAnswer
            if a != link.answer
        },
        note_max=services.NOTE_MAX_LENGTH,
    )
