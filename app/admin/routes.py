"""Coordinator pages: the hub, schools, the taxonomy and the mail outbox."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from app.admin import services
from app.admin.forms import ConceptForm, MergeForm, SchoolForm
from app.extensions import db
from app.models import School, Tag
from app.security import coordinator_required, redisplay_on_csrf_error

bp = Blueprint("admin", __name__)

# The HTML part of an email is someone else's markup: show it with scripts, forms and every
# remote load switched off.
EMAIL_HTML_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'"


@bp.get("/")
@coordinator_required
def index() -> ResponseReturnValue:
    return render_template(
        "admin/index.html",
        counts=services.dashboard_counts(),
        outbox_enabled=services.outbox_enabled(),
    )


# ----- Schools ---------------------------------------------------------------------------------


@bp.get("/schools/")
@coordinator_required
def schools() -> ResponseReturnValue:
    return render_template("admin/schools.html", rows=services.school_rows())


@bp.route("/schools/new", methods=["GET", "POST"])
@coordinator_required
@redisplay_on_csrf_error
def school_new() -> ResponseReturnValue:
    form = SchoolForm()
    if form.validate_on_submit():
        school = services.save_school(None, form.to_data(), by=g.user)
        flash(f"{school.name} added", "success")
        return redirect(url_for("admin.schools"))
    return render_template(
        "admin/school_form.html", form=form, school=None, descriptors=services.DESCRIPTORS
    )


@bp.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
@coordinator_required
@redisplay_on_csrf_error
def school_edit(school_id: int) -> ResponseReturnValue:
    school = db.get_or_404(School, school_id)
    form = SchoolForm(school_id=school.id)
    if request.method == "GET":
        form.fill_from(services.SchoolData.from_school(school))
    if form.validate_on_submit():
        services.save_school(school, form.to_data(), by=g.user)
        flash(f"{school.name} updated", "success")
        return redirect(url_for("admin.schools"))
    return render_template(
        "admin/school_form.html", form=form, school=school, descriptors=services.DESCRIPTORS
    )


# ----- Taxonomy --------------------------------------------------------------------------------


@bp.get("/taxonomy/")
@coordinator_required
def taxonomy() -> ResponseReturnValue:
    search = request.args.get("q", "").strip()[:100]
    groups = services.taxonomy_groups(search)
    return render_template(
        "admin/taxonomy.html",
        groups=groups,
        search=search,
        matches=sum(len(g.rows) for g in groups),
    )


@bp.post("/taxonomy/load")
@coordinator_required
def taxonomy_load() -> ResponseReturnValue:
    added, names, moved = services.reload_shipped_taxonomy(by=g.user)
    if added or names or moved:
        message = f"Added {added} concepts and {names} other names from the shipped taxonomy"
        if moved:
            message += f", and moved {moved} names to the concepts they now belong to"
        flash(message, "success")
    else:
        flash("The taxonomy already has every shipped concept and name", "success")
    return redirect(url_for("admin.taxonomy"))


@bp.route("/taxonomy/new", methods=["GET", "POST"])
@coordinator_required
@redisplay_on_csrf_error
def tag_new() -> ResponseReturnValue:
    form = ConceptForm()
    if request.method == "GET" and request.args.get("parent", "").isdigit():
        form.parent.data = request.args["parent"]
    if form.validate_on_submit():
        parent = db.session.get(Tag, form.parent_id) if form.parent_id else None
        tag = services.create_concept(
            form.label.data,
            parent,
            services.split_list(form.aliases.data or ""),
            services.split_list(form.abbreviations.data or ""),
            by=g.user,
        )
        flash(f"Concept “{tag.label}” added", "success")
        return redirect(url_for("admin.taxonomy"))
    return render_template("admin/tag_form.html", form=form, tag=None)


@bp.route("/taxonomy/<int:tag_id>/edit", methods=["GET", "POST"])
@coordinator_required
@redisplay_on_csrf_error
def tag_edit(tag_id: int) -> ResponseReturnValue:
    tag = db.get_or_404(Tag, tag_id)
    form = ConceptForm(tag=tag)
    if request.method == "GET":
        form.label.data = tag.label
        form.parent.data = str(tag.parent_id) if tag.parent_id else ""
        form.aliases.data = ", ".join(a.text for a in tag.aliases if not a.is_abbreviation)
        form.abbreviations.data = ", ".join(a.text for a in tag.aliases if a.is_abbreviation)
    if form.validate_on_submit():
        parent = db.session.get(Tag, form.parent_id) if form.parent_id else None
        try:
            services.update_concept(
                tag,
                form.label.data,
                parent,
                services.split_list(form.aliases.data or ""),
                services.split_list(form.abbreviations.data or ""),
                by=g.user,
            )
        except services.TaxonomyError as exc:
            form.parent.errors.append(str(exc))
        else:
            flash(f"Concept “{tag.label}” updated", "success")
            return redirect(url_for("admin.taxonomy"))
    return render_template("admin/tag_form.html", form=form, tag=tag)


@bp.route("/taxonomy/<int:tag_id>/merge", methods=["GET", "POST"])
@coordinator_required
@redisplay_on_csrf_error
def tag_merge(tag_id: int) -> ResponseReturnValue:
    source = db.get_or_404(Tag, tag_id)
    form = MergeForm(source=source)
    if form.validate_on_submit():
        target = db.session.get(Tag, int(form.target.data))
        if target is None:
            abort(404)
        if form.confirm.data != "yes":
            # First step done: show exactly what will happen before doing it.
            plan = services.plan_merge(source, target)
            return render_template("admin/tag_merge_confirm.html", form=form, plan=plan)
        source_label = source.label
        plan = services.merge_concepts(source, target, by=g.user)
        flash(
            f"“{source_label}” merged into “{target.label}”: {plan.posts} posts moved",
            "success",
        )
        return redirect(url_for("admin.taxonomy", q=target.label))
    return render_template("admin/tag_merge.html", form=form, tag=source)


# ----- Outbox ----------------------------------------------------------------------------------


@bp.get("/outbox/")
@coordinator_required
def outbox() -> ResponseReturnValue:
    if not services.outbox_enabled():
        abort(404)
    return render_template("admin/outbox.html", entries=services.list_outbox())


@bp.get("/outbox/<name>")
@coordinator_required
def outbox_message(name: str) -> ResponseReturnValue:
    if not services.outbox_enabled():
        abort(404)
    message = services.read_outbox_message(name)
    if message is None:
        abort(404)
    return render_template("admin/outbox_message.html", message=message)


@bp.get("/outbox/<name>/html")
@coordinator_required
def outbox_message_html(name: str) -> ResponseReturnValue:
    if not services.outbox_enabled():
        abort(404)
    html = services.outbox_message_html(name)
    if html is None:
        abort(404)
    response = make_response(html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Security-Policy"] = EMAIL_HTML_CSP
    return response
