"""Accounts: email addresses, passwords, sign-in throttling, and the invitation and reset links."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.mail import DeliveryResult, render_mail, send
from app.models import LoginAttempt, Role, User, utcnow
from app.tokens import InvalidToken, make_token, read_token
from app.urls import external_url

INVITE_PURPOSE = "invite"
RESET_PURPOSE = "reset"

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256

# Passwords long enough to pass the length rule that still top the breached-password lists, plus
# words a partnership of schools would reach for first. Compared lower-cased and trimmed.
COMMON_PASSWORDS = frozenset(
    {
        "0000000000",
        "0123456789",
        "0987654321",
        "1111111111",
        "1122334455",
        "1234512345",
        "1234554321",
        "1234567890",
        "12345678910",
        "123456789a",
        "123456789q",
        "1234567890a",
        "123qweasdzxc",
        "1q2w3e4r5t",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "5555555555",
        "7777777777",
        "9876543210",
        "a123456789",
        "aaaaaaaaaa",
        "abc1234567",
        "abcd123456",
        "abcdefghij",
        "administrator",
        "arsenal123",
        "asdfghjkl1",
        "baseball123",
        "changeme123",
        "chelsea123",
        "classroom1",
        "correcthorsebatterystaple",
        "dragon1234",
        "education1",
        "football123",
        "givefirst1",
        "headteacher",
        "headteacher1",
        "iloveyou12",
        "iloveyou123",
        "letmein123",
        "lincolnshire",
        "lincolnshire1",
        "liverpool1",
        "liverpool123",
        "manchester",
        "manchester1",
        "monkey1234",
        "partnership",
        "partnership1",
        "passw0rd123",
        "password01",
        "password1!",
        "password12",
        "password123",
        "password1234",
        "password2024",
        "password2025",
        "password2026",
        "primaryschool",
        "princess123",
        "q1w2e3r4t5",
        "qazwsxedc123",
        "qwerty12345",
        "qwerty123456",
        "qwertyuiop",
        "qwertyuiop1",
        "school1234",
        "schoolpassword",
        "starwars123",
        "summer2025",
        "summer2026",
        "sunshine123",
        "superman123",
        "teacher123",
        "teaching123",
        "trustno1234",
        "welcome123",
        "welcome1234",
        "winter2025",
        "winter2026",
        "zaq12wsxcde",
    }
)


class AccountError(ValueError):
    """A request about an account that the rules refuse; the message is for the user."""


# --- email addresses -----------------------------------------------------------------------


def normalise_email(email: str) -> str:
    """The form every email address is stored and compared in: trimmed and lower-case."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Why this email address cannot be used, in plain English, or None if it can."""
    email = email.strip()
    if not email:
        return "Enter an email address"
    try:
        # test_environment allows the reserved .test domain (demo data) and skips DNS lookups.
        validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return "Enter an email address in the correct format, like name@example.com"
    if len(email) > 254:
        return "Email address must be 254 characters or fewer"
    return None


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


# --- passwords -----------------------------------------------------------------------------


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why this new password is not good enough, in plain English, or None if it is."""
    if not password:
        return "Enter a password"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer"
    simple = password.strip().lower()
    squashed = simple.replace(" ", "")
    if simple in COMMON_PASSWORDS or squashed in COMMON_PASSWORDS or len(set(squashed)) < 3:
        return "Password is too easy to guess. Try 3 random words, like 'kettle orbit meadow'"
    if email and simple == normalise_email(email):
        return "Password must not be your email address"
    return None


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not a real password", method=method)


def _spend_hash_time(password: str) -> None:
    """Check a password against a throwaway hash, so unknown emails take as long as known ones."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    check_password_hash(_dummy_hash(method), password)


def reset_fingerprint(user: User) -> str:
    """Changes whenever the password changes, so a reset link works once; reveals nothing."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:20]


# --- links in emails -----------------------------------------------------------------------


def describe_duration(seconds: int) -> str:
    """'14 days', '2 hours', '30 minutes': how long a link lasts, in words."""
    for unit, size in (("day", 86400), ("hour", 3600)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


# --- invitations ---------------------------------------------------------------------------


def _email_fingerprint(email: str) -> str:
    # Tokens are signed, not encrypted: a digest keeps the address itself out of URLs and logs.
    return hashlib.sha256(email.encode()).hexdigest()[:20]


def invitation_link(user: User) -> str:
    """An absolute link that lets this person set their first password (once)."""
    token = make_token(INVITE_PURPOSE, {"uid": user.id, "em": _email_fingerprint(user.email)})
    return external_url("auth.accept_invite", token=token)


def send_invitation(user: User, invited_by: User | None = None) -> DeliveryResult:
    """Email `user` a link to set their password; records when. Commits.

    Sending again is safe: every link stays valid until one is used or it expires.
    """
    if user.password_hash is not None:
        raise AccountError(f"{user.name} has already set a password")
    if not user.active:
        raise AccountError(f"{user.name}'s account is deactivated; reactivate it first")
    max_age = int(current_app.config["INVITE_MAX_AGE"])
    now = utcnow()
    partnership = current_app.config["PARTNERSHIP_NAME"]
    mail = render_mail(
        user.email,
        f"You are invited to join {partnership}",
        "invite",
        user=user,
        partnership=partnership,
        inviter=_inviter_description(invited_by),
        link=invitation_link(user),
        lasts=describe_duration(max_age),
        expires_at=now + timedelta(seconds=max_age),
        sign_in_link=external_url("auth.sign_in"),
        joining_as=_joining_as(user),
    )
    [result] = send([mail])
    if result.ok:
        user.invited_at = now
        db.session.commit()
    return result


def _joining_as(user: User) -> str:
    """' as a coordinator' or ' as a leader at Ash Primary' (empty for a leader with no school)."""
    if user.role == Role.COORDINATOR:
        return " as a coordinator"
    return f" as a leader at {user.school.name}" if user.school else ""


def _inviter_description(invited_by: User | None) -> str:
    """Who invited them, with the verb: 'Priya Sandhu has' / 'The coordinators have'."""
    if invited_by is None:
        return "The partnership's coordinators have"
    if invited_by.job_title:
        return f"{invited_by.name} ({invited_by.job_title}) has"
    return f"{invited_by.name} has"


def invited_user(token: str) -> User | None:
    """The person a still-usable invitation link is for, or None."""
    try:
        payload = read_token(INVITE_PURPOSE, token, int(current_app.config["INVITE_MAX_AGE"]))
    except InvalidToken:
        return None
    user = db.session.get(User, payload.get("uid")) if isinstance(payload.get("uid"), int) else None
    if (
        user is None
        or not user.active
        or user.password_hash is not None
        or _email_fingerprint(user.email) != payload.get("em")
    ):
        return None
    return user


def accept_invitation(token: str, password: str) -> User:
    """Set the first password of the person the link invites. Commits.

    Raises AccountError if the link is no longer usable (also when two tabs race to use it).
    """
    user = invited_user(token)
    if user is None:
        raise AccountError("This link has already been used or has expired")
    new_hash = hash_password(password)
    # Conditional on there being no password yet, so a link can be used only once.
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, User.password_hash.is_(None), User.active.is_(True))
        .values(password_hash=new_hash, last_sign_in_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise AccountError("This link has already been used or has expired")
    db.session.commit()
    db.session.refresh(user)
    return user


# --- password reset ------------------------------------------------------------------------


def request_password_reset(email: str) -> DeliveryResult | None:
    """Email a reset link (or, if they never set a password, the invitation again).

    Returns None, sending nothing, when no active account has this email or one was sent to it in
    the last RESET_EMAIL_INTERVAL_SECONDS; callers must show the same page either way so nobody
    can learn who has an account.
    """
    user = user_by_email(email)
    if user is None or not user.active:
        return None
    now = utcnow()
    interval = timedelta(seconds=int(current_app.config["RESET_EMAIL_INTERVAL_SECONDS"]))
    if user.reset_requested_at is not None and now - user.reset_requested_at < interval:
        return None  # one email is on its way already
    user.reset_requested_at = now
    db.session.commit()
    if user.password_hash is None:
        return send_invitation(user)
    max_age = int(current_app.config["RESET_MAX_AGE"])
    token = make_token(RESET_PURPOSE, {"uid": user.id, "pw": reset_fingerprint(user)})
    partnership = current_app.config["PARTNERSHIP_NAME"]
    mail = render_mail(
        user.email,
        f"Reset your {partnership} password",
        "reset_password",
        user=user,
        partnership=partnership,
        link=external_url("auth.reset_password", token=token),
        lasts=describe_duration(max_age),
        expires_at=now + timedelta(seconds=max_age),
        forgot_link=external_url("auth.forgot_password"),
    )
    [result] = send([mail])
    return result


def reset_user(token: str) -> User | None:
    """The person a still-usable reset link is for, or None."""
    try:
        payload = read_token(RESET_PURPOSE, token, int(current_app.config["RESET_MAX_AGE"]))
    except InvalidToken:
        return None
    user = db.session.get(User, payload.get("uid")) if isinstance(payload.get("uid"), int) else None
    if (
        user is None
        or not user.active
        or user.password_hash is None
        or reset_fingerprint(user) != payload.get("pw")
    ):
        return None
    return user


def reset_password(token: str, password: str) -> User:
    """Replace the password of the person the reset link is for. Commits.

    The link stops working the moment the password changes, and so do their other sessions.
    """
    user = reset_user(token)
    if user is None:
        raise AccountError("This link has already been used or has expired")
    old_hash = user.password_hash
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, User.password_hash == old_hash, User.active.is_(True))
        .values(password_hash=hash_password(password), last_sign_in_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise AccountError("This link has already been used or has expired")
    # Signing in after a reset counts as a success: it lifts the throttle on this email.
    db.session.add(LoginAttempt(email=user.email, ip="reset", succeeded=True))
    db.session.commit()
    db.session.refresh(user)
    return user


# --- signing in ----------------------------------------------------------------------------


@dataclass
class SignInResult:
    user: User | None = None
    throttled: bool = False


def is_throttled(email: str, ip: str) -> bool:
    """Too many recent failures for this email or from this address."""
    cfg = current_app.config
    window_start = utcnow() - timedelta(seconds=int(cfg["LOGIN_WINDOW_SECONDS"]))
    email = normalise_email(email)[:254]
    # A success for the email starts its count again; the address's count is never reset by
    # one success, or a single known account would unlock guessing at all the others.
    last_success = (
        select(func.max(LoginAttempt.created_at))
        .where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(True))
        .scalar_subquery()
    )
    email_failures = db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.email == email,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.created_at >= window_start,
            (last_success.is_(None)) | (LoginAttempt.created_at > last_success),
        )
    )
    if email_failures >= int(cfg["LOGIN_MAX_FAILURES_PER_EMAIL"]):
        return True
    ip_failures = db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.ip == ip,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.created_at >= window_start,
        )
    )
    return ip_failures >= int(cfg["LOGIN_MAX_FAILURES_PER_IP"])


def authenticate(email: str, password: str, ip: str) -> SignInResult:
    """Check a sign-in attempt, record it, and return the person if it succeeded. Commits.

    Unknown emails, wrong passwords, deactivated people and unaccepted invitations all fail
    the same way and take about as long, so the answer never says who has an account.
    """
    email = normalise_email(email)
    ip = (ip or "unknown")[:64]
    if is_throttled(email, ip):
        return SignInResult(throttled=True)
    user = user_by_email(email)
    if user is not None and user.password_hash is not None:
        # A deleted account has no password either; the check says so in words.
        ok = (
            check_password_hash(user.password_hash, password)
            and user.active
            and user.deleted_at is None
        )
    else:
        _spend_hash_time(password)
        ok = False
    now = utcnow()
    _prune_attempts(now)
    db.session.add(LoginAttempt(email=email[:254], ip=ip, succeeded=ok, created_at=now))
    if ok and user is not None:
        user.last_sign_in_at = now
    db.session.commit()
    return SignInResult(user=user if ok else None)


def _prune_attempts(now: datetime) -> None:
    # Only the last window matters; keep a day for anyone looking into an incident.
    keep = max(86400, int(current_app.config["LOGIN_WINDOW_SECONDS"]))
    db.session.execute(
        delete(LoginAttempt).where(LoginAttempt.created_at < now - timedelta(seconds=keep))
    )


def throttle_minutes() -> int:
    return max(1, int(current_app.config["LOGIN_WINDOW_SECONDS"]) // 60)


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: starts with one '/', no scheme, host or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    return "\\" not in target and not any(ord(ch) < 32 or ord(ch) == 127 for ch in target)


def landing_endpoint(user: User) -> str:
    """Where a person goes after signing in when no page was asked for."""
    if user.role == Role.COORDINATOR:
        return "admin.index"
    if user.school_id is not None:
        return "posts.my_school"
    return "posts.browse"
