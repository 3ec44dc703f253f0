"""Sign in, sign out, invitations and password reset."""

from flask import Blueprint
from flask.typing import ResponseReturnValue

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    return "sign in"


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    return "sign out"
