"""Offers and requests: browse, post, edit, and My school."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from app.models import Post, PostFormat, PostKind, PostStatus, User
from app.pagination import pagination
from app.posts import services
from app.posts.forms import BrowseForm, DeleteForm, KindForm, PostForm
from app.security import login_required, redisplay_on_csrf_error

bp = Blueprint("posts", __name__)

DISTANCES = (5, 10, 20, 40)
STATUS_TAG_CLASSES = {
    "Open": "govuk-tag--green",
    "Paused": "govuk-tag--yellow",
    "Closed": "govuk-tag--grey",
    "Ended": "govuk-tag--grey",
}
# What each status button does, as the leader reads it.
STATUS_ACTIONS = {
    PostStatus.PAUSED: "Pause",
    PostStatus.OPEN: "Reopen",
    PostStatus.CLOSED: "Close",
}
STATUS_FLASHES = {
    PostStatus.PAUSED: "{noun} is paused. Nobody will see it in browse or suggestions "
    "until you reopen it",
    PostStatus.OPEN: "{noun} is open again",
    PostStatus.CLOSED: "{noun} is closed",
}


@bp.app_template_filter("local_date")
def local_date(value: datetime | None) -> str:
    """'23 November 2026' for a moment, in the partnership's timezone."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(current_app.config["PARTNERSHIP_TIMEZONE"]))
    return f"{local.day} {local:%B %Y}"


# ---------------------------------------------------------------------------------------------
# Browse
# ---------------------------------------------------------------------------------------------


@bp.get("/posts")
@login_required
def browse() -> ResponseReturnValue:
    user: User = g.user
    categories = services.taxonomy_categories()
    filters_form = BrowseForm(request.args)
    filters_form.tag.choices = _tag_choices(categories)
    distance_allowed = services.has_location(user.school)
    filters = _filters_from_args(request.args, distance_allowed)
    page = services.browse_posts(filters, user, _int(request.args.get("page"), 1))

    args = {k: v for k, v in request.args.items() if k != "page" and v.strip()}
    return render_template(
        "posts/browse.html",
        filters_form=filters_form,
        distance_allowed=distance_allowed,
        filtered=bool(args),
        page=page,
        distance_texts={pid: distance_text(m) for pid, m in page.distances.items()},
        pagination=pagination(
            page.page, page.pages, lambda n: url_for("posts.browse", **args, page=n)
        ),
    )


def _filters_from_args(args: Mapping[str, str], distance_allowed: bool) -> services.BrowseFilters:
    """Read the filters leniently: a value we do not know means "any"."""
    distance = _int(args.get("distance"), 0)
    return services.BrowseFilters(
        kind=_enum(PostKind, args.get("kind")),
        tag=(args.get("tag") or "").strip() or None,
        format=_enum(PostFormat, args.get("format")),
        distance=distance if distance_allowed and distance in DISTANCES else None,
        q=(args.get("q") or "").strip()[:100],
    )


def _tag_choices(categories: list[services.Category]) -> list[SelectChoice]:
    """Concepts grouped by category, for a select with optgroups."""
    choices = [SelectChoice("", "Any topic")]
    for category in categories:
        group = category.tag.label
        choices.append(SelectChoice(category.tag.slug, f"{group} (all topics)", optgroup=group))
        choices += [
            SelectChoice(tag.slug, ("\u2013 " * (depth - 1)) + tag.label, optgroup=group)
            for tag, depth in category.concepts
        ]
    return choices


def distance_text(miles: float) -> str:
    if miles < 1:
        return "Less than 1 mile away"
    rounded = round(miles)
    return "1 mile away" if rounded == 1 else f"{rounded} miles away"


# ---------------------------------------------------------------------------------------------
# My school
# ---------------------------------------------------------------------------------------------


@bp.get("/my-school")
@login_required
def my_school() -> ResponseReturnValue:
    school = g.user.school
    if school is None:
        # Coordinators without a school have nothing of their own to show.
        return redirect(url_for("posts.browse"))
    today = services.partnership_today()
    posts = services.school_posts(school.id)
    statuses = {p.id: services.status_label(p, today) for p in posts}
    return render_template(
        "posts/my_school.html",
        school=school,
        offers=[p for p in posts if p.kind == PostKind.OFFER],
        requests=[p for p in posts if p.kind == PostKind.REQUEST],
        statuses=statuses,
        status_classes=STATUS_TAG_CLASSES,
    )


# ---------------------------------------------------------------------------------------------
# Post, view, edit
# ---------------------------------------------------------------------------------------------


@bp.route("/posts/new", methods=["GET", "POST"])
@login_required
@redisplay_on_csrf_error
def new() -> ResponseReturnValue:
    user: User = g.user
    kind = _enum(PostKind, request.args.get("kind"))
    if kind is None:
        if request.method == "POST":
            abort(400)
        return _choose_kind()
    if not user.is_coordinator and user.school is None:
        abort(403)
    form = PostForm(
        kind=kind,
        school_choices=_school_choices(user),
        data={"school": str(user.school_id or "")},
    )
    if form.validate_on_submit():
        school = _chosen_school(form) or user.school
        noun = "Your" if school.id == user.school_id else f"{school.name}'s"
        try:
            post = services.create_post(user, school, _post_data(form, kind))
        except services.DuplicatePostError as exc:
            if exc.resubmitted:
                flash(f"{noun} {kind.value} was already posted", "info")
                return redirect(url_for("posts.view", post_id=exc.existing.id))
            form.title.errors.append(
                _duplicate_message(exc.existing, "Edit that {kind}, or give this one a "
                                   "different title")
            )
        else:
            flash(f"{noun} {kind.value} has been posted", "success")
            return redirect(url_for("posts.view", post_id=post.id))
    return _render_form(
        form,
        heading=f"Post {'an offer' if kind == PostKind.OFFER else 'a request'}",
        action=url_for("posts.new", kind=kind.value),
        submit_label=f"Post {kind.value}",
        cancel=url_for("posts.new"),
        cancel_label="Change what you are posting",
    )


def _choose_kind() -> ResponseReturnValue:
    """The first question, asked on its own; a GET form so the answer sits in the address."""
    submitted = request.args.get("step") == "kind"
    form = KindForm(request.args if submitted else None)
    if submitted:
        form.validate()
    return render_template("posts/choose_kind.html", form=form)


@bp.get("/posts/<int:post_id>")
@login_required
def view(post_id: int) -> ResponseReturnValue:
    post = services.get_post(post_id) or abort(404)
    today = services.partnership_today()
    ended = services.has_ended(post, today)
    editable = services.can_edit(g.user, post)
    actions = []
    if editable:
        actions = [
            (status.value, label)
            for status, label in STATUS_ACTIONS.items()
            if status != post.status and not (status == PostStatus.OPEN and ended)
        ]
    status = services.status_label(post, today)
    return render_template(
        "posts/view.html",
        post=post,
        status=status,
        status_class=STATUS_TAG_CLASSES[status],
        ended=ended,
        editable=editable,
        actions=actions,
    )


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
@redisplay_on_csrf_error
def edit(post_id: int) -> ResponseReturnValue:
    post = _editable_post(post_id)
    form = PostForm(
        kind=post.kind,
        school_choices=_school_choices(g.user),
        data={
            "school": str(post.school_id),
            "title": post.title,
            "description": post.description,
            "tags": services.tag_input_for(post),
            "format": post.format.value,
            "capacity": post.capacity,
            "time_commitment": post.time_commitment,
            "available_from": post.available_from,
            "available_until": post.available_until,
        },
        # An end date already saved may stay as it is, even once it has passed.
        saved_until=post.available_until,
    )
    if form.validate_on_submit():
        try:
            services.update_post(
                post, _post_data(form, post.kind), _chosen_school(form), acting=g.user
            )
        except services.DuplicatePostError as exc:
            form.title.errors.append(
                _duplicate_message(exc.existing, "Give this {kind} a different title, or "
                                   "close that one first")
            )
        else:
            flash("Your changes have been saved", "success")
            return redirect(url_for("posts.view", post_id=post.id))
    return _render_form(
        form,
        heading=f"Edit {'offer' if post.kind == PostKind.OFFER else 'request'}",
        action=url_for("posts.edit", post_id=post.id),
        submit_label="Save changes",
        cancel=url_for("posts.view", post_id=post.id),
        cancel_label="Cancel",
    )


@bp.post("/posts/<int:post_id>/status")
@login_required
def set_status(post_id: int) -> ResponseReturnValue:
    post = _editable_post(post_id)
    status = _enum(PostStatus, request.form.get("status"))
    if status is None:
        abort(400)
    noun = _noun(post)
    try:
        services.set_status(post, status, acting=g.user)
    except services.CannotReopen:
        flash(f"Change the end date before you reopen this {post.kind.value}")
        return redirect(url_for("posts.edit", post_id=post.id))
    except services.DuplicatePostError as exc:
        flash(_duplicate_message(exc.existing, "Close that {kind} before you reopen this one"))
        return redirect(url_for("posts.view", post_id=post.id))
    flash(STATUS_FLASHES[status].format(noun=noun), "success")
    return redirect(url_for("posts.view", post_id=post.id))


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
@login_required
@redisplay_on_csrf_error
def delete(post_id: int) -> ResponseReturnValue:
    post = _editable_post(post_id)
    form = DeleteForm()
    if form.validate_on_submit():
        noun, own = _noun(post), post.school_id == g.user.school_id
        try:
            services.delete_post(post, acting=g.user)
        except services.PostInPartnership:
            flash(f"{noun} is part of a partnership, so it stays on record. You can close it.")
            return redirect(url_for("posts.view", post_id=post.id))
        flash(f"{noun} has been deleted", "success")
        return redirect(url_for("posts.my_school" if own else "posts.browse"))
    return render_template("posts/delete.html", form=form, post=post)


@bp.get("/posts/tags")
@login_required
def tag_suggestions() -> ResponseReturnValue:
    """Up to 8 concepts matching what is being typed, as [{label, slug}]."""
    return jsonify(services.tag_suggestions((request.args.get("q") or "")[:60]))


# ---------------------------------------------------------------------------------------------
# Small shared pieces
# ---------------------------------------------------------------------------------------------


def _render_form(form: PostForm, **context: Any) -> ResponseReturnValue:
    return render_template(
        "posts/form.html",
        form=form,
        kind=form.kind,
        categories=services.taxonomy_categories(),
        **context,
    )


def _editable_post(post_id: int) -> Post:
    """The post, if this person may change it: 404 if missing, 403 if another school's."""
    post = services.get_post(post_id) or abort(404)
    if not services.can_edit(g.user, post):
        abort(403)
    return post


def _school_choices(user: User) -> list[tuple[int, str]] | None:
    """Coordinators choose the school; leaders always post for their own (no choice)."""
    if not user.is_coordinator:
        return None
    return [(s.id, s.name) for s in services.all_schools()]


def _chosen_school(form: PostForm) -> Any:
    if "school" not in form:
        return None
    return services.get_school(int(form.school.data))


def _post_data(form: PostForm, kind: PostKind) -> services.PostData:
    return services.PostData(
        kind=kind,
        title=form.title.data or "",
        description=form.description.data or "",
        tags=form.tags.data or "",
        format=PostFormat(form.format.data),
        capacity=form.capacity.number if "capacity" in form else None,
        time_commitment=form.time_commitment.data or "",
        available_from=form.available_from.data,
        available_until=form.available_until.data,
    )


def _duplicate_message(existing: Post, advice: str) -> str:
    """Which open post already has this title, and what the leader can do about it."""
    kind = existing.kind.value
    owner = "Your school" if existing.school_id == g.user.school_id else existing.school.name
    return (f"{owner} already has an open {kind} with this title, posted on "
            f"{local_date(existing.created_at)}. {advice.format(kind=kind)}")


def _noun(post: Post) -> str:
    """'Your offer' for the leader's own school, 'The offer' for a coordinator acting for one."""
    owner = "Your" if post.school_id == g.user.school_id else "The"
    return f"{owner} {post.kind.value}"


def _enum(enum_cls: Any, value: str | None) -> Any:
    try:
        return enum_cls(value)
    except ValueError:
        return None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or "")
    except ValueError:
        return default
