"""Routes of the account blueprint: your details, download your data, delete your account."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.account import services
from app.account.forms import DeleteAccountForm
from app.people.services import ROLE_LABELS
from app.security import login_required, redisplay_on_csrf_error, sign_out_user

bp = Blueprint("account", __name__)


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    return render_template("account/index.html", role_label=ROLE_LABELS[g.user.role])


@bp.get("/your-data.json")
@login_required
def download() -> ResponseReturnValue:
    data = services.account_data(g.user)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="givefirst-your-data.json"'},
    )


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@redisplay_on_csrf_error
def delete() -> ResponseReturnValue:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(g.user, form.password.data or "", request.remote_addr or "")
        except services.AccountDeletionError as error:
            if error.field is None:
                flash(error.message)
                return redirect(url_for("account.index"))
            form.password.errors = [*form.password.errors, error.message]
        else:
            sign_out_user()
            flash("Your account has been deleted. Your school's posts stay.", "success")
            return redirect(url_for("main.index"))
    # Never send a typed password back to the page.
    form.password.data = ""
    status = 400 if form.errors else 200
    return (
        render_template(
            "account/delete.html",
            form=form,
            last_coordinator=services.is_last_coordinator(g.user),
        ),
        status,
    )
