"""Coordinator pages for people: invite, deactivate, change role."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app.auth.services import AccountError, describe_duration, send_invitation
from app.extensions import db
from app.mail import DeliveryResult
from app.models import Role, School, User
from app.pagination import pagination
from app.people import services
from app.people.forms import (
    EditPersonForm,
    InviteForm,
    PeopleFilterForm,
    RoleForm,
    SetActiveForm,
)
from app.people.services import ROLE_LABELS, PersonError, person_status
from app.security import coordinator_required, redisplay_on_csrf_error

bp = Blueprint("people", __name__)


@bp.get("/")
@coordinator_required
def index() -> ResponseReturnValue:
    schools = services.all_schools()
    filters = PeopleFilterForm(formdata=request.args)
    filters.set_schools(schools)
    page = request.args.get("page", 1, type=int)
    people = services.list_people(
        search=filters.q.data or "",
        school_id=filters.school_id(),
        status=filters.status_value(),
        page=max(1, page),
    )
    rows = [
        {
            "user": user,
            "school": user.school.name if user.school else "",
            "role": ROLE_LABELS[user.role],
            "status": person_status(user),
        }
        for user in people.items
    ]
    # Keep the filters in the page links.
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "people/index.html",
        filters=filters,
        people=people,
        rows=rows,
        filtered=bool(args),
        pagination=pagination(
            people.page, people.pages, lambda n: url_for("people.index", page=n, **args)
        ),
    )


@bp.route("/invite", methods=["GET", "POST"])
@coordinator_required
@redisplay_on_csrf_error
def invite() -> ResponseReturnValue:
    schools = services.all_schools()
    form = InviteForm()
    form.set_schools(schools)
    if request.method == "GET":
        form.role.data = form.role.data or Role.LEADER.value
    if form.validate_on_submit():
        try:
            user, result = services.invite_person(
                name=form.name.data,
                email=form.email.data,
                job_title=form.job_title.data or "",
                role=Role(form.role.data),
                school=_school(form.school_id()),
                invited_by=g.user,
            )
        except PersonError as error:
            _field_error(form, error)
        else:
            _flash_invitation(user, result)
            return redirect(url_for("people.detail", user_id=user.id))
    lasts = describe_duration(int(current_app.config["INVITE_MAX_AGE"]))
    return render_template("people/invite.html", form=form, lasts=lasts)


@bp.get("/<int:user_id>")
@coordinator_required
def detail(user_id: int) -> ResponseReturnValue:
    person = db.get_or_404(User, user_id)
    return _render_detail(person, RoleForm(role=person.role.value))


def _render_detail(person: User, role_form: RoleForm) -> ResponseReturnValue:
    status = person_status(person)
    is_self = person.id == g.user.id
    return render_template(
        "people/detail.html",
        person=person,
        status=status,
        role_label=ROLE_LABELS[person.role],
        is_self=is_self,
        # Named `form` so the page title says "Error:" when the role change was refused.
        form=role_form,
        active_form=SetActiveForm(formdata=None, active="false" if person.active else "true"),
        can_invite=person.active and person.password_hash is None,
    )


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@coordinator_required
@redisplay_on_csrf_error
def edit(user_id: int) -> ResponseReturnValue:
    person = db.get_or_404(User, user_id)
    form = EditPersonForm(obj=person)
    form.set_schools(services.all_schools())
    form.person_role = person.role
    if request.method == "GET":
        form.school.data = str(person.school_id) if person.school_id else ""
    if form.validate_on_submit():
        try:
            services.update_person(
                person,
                name=form.name.data,
                job_title=form.job_title.data or "",
                school=_school(form.school_id()),
                acting=g.user,
            )
        except PersonError as error:
            _field_error(form, error)
        else:
            flash(f"{person.name}'s details have been updated", "success")
            return redirect(url_for("people.detail", user_id=person.id))
    return render_template("people/edit.html", form=form, person=person)


@bp.post("/<int:user_id>/role")
@coordinator_required
@redisplay_on_csrf_error
def set_role(user_id: int) -> ResponseReturnValue:
    person = db.get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            changed = services.set_role(
                person, Role(form.role.data), acting=g.user, reason=form.reason.data or ""
            )
        except PersonError as error:
            _field_error(form, error)
        else:
            if changed:
                flash(f"{person.name} is now a {ROLE_LABELS[person.role].lower()}", "success")
            return redirect(url_for("people.detail", user_id=person.id))
    return _render_detail(person, form)


@bp.post("/<int:user_id>/active")
@coordinator_required
def set_active(user_id: int) -> ResponseReturnValue:
    person = db.get_or_404(User, user_id)
    form = SetActiveForm()
    if not form.validate_on_submit():
        flash("Sorry, that did not work. Try again.")
        return redirect(url_for("people.detail", user_id=person.id))
    active = form.active.data == "true"
    try:
        changed = services.set_active(
            person, active, acting=g.user, reason=form.active_reason.data or ""
        )
    except PersonError as error:
        flash(error.message)
    else:
        if changed and active:
            flash(f"{person.name} has been reactivated. They can sign in again.", "success")
        elif changed:
            flash(f"{person.name} has been deactivated. They can no longer sign in.", "success")
    return redirect(url_for("people.detail", user_id=person.id))


@bp.post("/<int:user_id>/clear-bounce")
@coordinator_required
def clear_bounce(user_id: int) -> ResponseReturnValue:
    person = db.get_or_404(User, user_id)
    # CSRFProtect checked the token before this view ran; the form has no other fields.
    if services.clear_bounce(person, acting=g.user):
        flash(f"Emails to {person.email} will be sent again.", "success")
    return redirect(url_for("people.detail", user_id=person.id))


@bp.post("/<int:user_id>/resend-invite")
@coordinator_required
def resend_invite(user_id: int) -> ResponseReturnValue:
    person = db.get_or_404(User, user_id)
    # The token was checked by CSRFProtect before this view ran; the form has no other fields.
    try:
        result = send_invitation(person, invited_by=g.user)
    except AccountError as error:
        flash(str(error))
    else:
        _flash_invitation(person, result)
    return redirect(url_for("people.detail", user_id=person.id))


def _school(school_id: int | None) -> School | None:
    return db.session.get(School, school_id) if school_id is not None else None


def _field_error(form: InviteForm | EditPersonForm | RoleForm, error: PersonError) -> None:
    field = getattr(form, error.field or "", None) or next(
        f for f in form if f.name != "csrf_token"
    )
    field.errors = [*field.errors, error.message]


def _flash_invitation(user: User, result: DeliveryResult) -> None:
    if result.ok:
        flash(f"Invitation sent to {user.name} at {user.email}", "success")
    else:
        flash(
            f"We could not send the invitation to {user.email} ({result.error}). "
            "Check the address, then send it again."
        )
