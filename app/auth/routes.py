"""Sign in, sign out, invitations and password reset."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.auth import services
from app.auth.forms import ForgotPasswordForm, SetPasswordForm, SignInForm
from app.auth.services import AccountError
from app.security import redisplay_on_csrf_error, sign_in_user, sign_out_user

bp = Blueprint("auth", __name__, url_prefix="/auth")

SIGN_IN_FAILED = "Enter a correct email address and password"


@bp.route("/sign-in", methods=["GET", "POST"])
@redisplay_on_csrf_error
def sign_in() -> ResponseReturnValue:
    next_url = request.args.get("next")
    if not services.is_safe_next(next_url):
        next_url = None
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        result = services.authenticate(
            form.email.data, form.password.data, request.remote_addr or ""
        )
        if result.user is not None:
            sign_in_user(result.user)
            return redirect(next_url or url_for(services.landing_endpoint(result.user)))
        if result.throttled:
            status = 429
            form.email.errors.append(
                f"Too many attempts. Wait {services.throttle_minutes()} minutes and try again, "
                "or reset your password."
            )
        else:
            form.email.errors.append(SIGN_IN_FAILED)
    return render_template("auth/sign_in.html", form=form, next_url=next_url), status


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    sign_out_user()
    flash("You have signed out", "success")
    return redirect(url_for("main.index"))


@bp.route("/accept-invite/<token>", methods=["GET", "POST"])
@redisplay_on_csrf_error
def accept_invite(token: str) -> ResponseReturnValue:
    user = services.invited_user(token)
    if user is None:
        return _link_problem("invite")
    form = SetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.password.data)
        except AccountError:
            return _link_problem("invite")
        sign_in_user(user)
        flash(
            f"Your password is set. Welcome to {current_app.config['PARTNERSHIP_NAME']}.", "success"
        )
        return redirect(url_for(services.landing_endpoint(user)))
    return render_template("auth/accept_invite.html", form=form, user=user)


@bp.route("/forgot-password", methods=["GET", "POST"])
@redisplay_on_csrf_error
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        result = services.request_password_reset(form.email.data)
        if result is not None and not result.ok:
            # Not shown to the person: the page must look the same whether or not they exist.
            current_app.logger.warning("Password reset email failed: %s", result.error)
        return redirect(url_for("auth.check_email"))
    return render_template("auth/forgot_password.html", form=form)


@bp.get("/forgot-password/sent")
def check_email() -> ResponseReturnValue:
    return render_template(
        "auth/check_email.html",
        lasts=services.describe_duration(int(current_app.config["RESET_MAX_AGE"])),
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@redisplay_on_csrf_error
def reset_password(token: str) -> ResponseReturnValue:
    user = services.reset_user(token)
    if user is None:
        return _link_problem("reset")
    form = SetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except AccountError:
            return _link_problem("reset")
        sign_in_user(user)
        flash("Your password has been changed. You are signed in.", "success")
        return redirect(url_for(services.landing_endpoint(user)))
    return render_template("auth/reset_password.html", form=form, user=user)


def _link_problem(kind: str) -> ResponseReturnValue:
    # 400 so link checkers and logs see a refusal; the page says what to do next.
    return render_template("auth/link_problem.html", kind=kind), 400
