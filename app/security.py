"""Who is signed in, who may see what, and the security headers on every response."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def init_app(app: Flask) -> None:
    app.before_request(load_current_user)
    app.after_request(set_security_headers)
    app.register_error_handler(CSRFError, handle_csrf_error)
    for code in (400, 403, 404, 405, 429):
        app.register_error_handler(code, render_error)


def redisplay_on_csrf_error(view: F) -> F:
    """Mark a form view that re-displays its form, with what was typed, after a CSRF failure.

    The view must use app.forms.BaseForm, whose validate_on_submit() then fails with a
    plain-English error instead of acting. Views without this mark get a 400 page.
    """
    view.redisplay_on_csrf_error = True  # type: ignore[attr-defined]
    return view


def handle_csrf_error(error: CSRFError) -> ResponseReturnValue:
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "redisplay_on_csrf_error", False):
        g.csrf_error = True
        try:
            response = current_app.make_response(view(**(request.view_args or {})))
        except HTTPException as exc:  # e.g. the view's own 403 for someone else's page
            return render_error(exc)
        # A redirect means the view sent them elsewhere (to sign in): keep it.
        if response.status_code < 300:
            response.status_code = 400
        return response
    return render_error(error)


def render_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    title = ERROR_TITLES.get(code, "Error")
    return render_template("errors/error.html", code=code, title=title), code


ERROR_TITLES = {
    400: "Sorry, there is a problem with that request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Sorry, there is a problem with that request",
    429: "Too many attempts",
}


def load_current_user() -> None:
    """Put the signed-in, still-active user (or None) on g.user."""
    user_id = session.get("user_id")
    user = db.session.get(User, user_id) if user_id is not None else None
    # A deactivated person or a changed password ends every existing session.
    if user is not None and (not user.active or session.get("pw") != password_fingerprint(user)):
        session.clear()
        user = None
    g.user = user


def password_fingerprint(user: User) -> str:
    """A short value that changes whenever the password changes."""
    return (user.password_hash or "")[-12:]


def sign_in_user(user: User) -> None:
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["pw"] = password_fingerprint(user)


def sign_out_user() -> None:
    session.clear()


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if g.get("user") is None:
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def coordinator_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if g.get("user") is None:
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        if g.user.role != Role.COORDINATOR:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def set_security_headers(response: Any) -> Any:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # Signed tokens live in URLs; never leak them to another site.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if g.get("user") is not None:
        response.headers.setdefault("Cache-Control", "no-store")
    return response
