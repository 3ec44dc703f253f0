"""Forms for signing in, setting a password and asking for a reset link."""

from __future__ import annotations

from typing import Any

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, ValidationError

from app.auth.services import email_problem, password_problem
from app.forms import BaseForm


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def valid_email(form: Any, field: Any) -> None:
    """WTForms validator: a well-formed email address, with a plain-English message."""
    problem = email_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class SignInForm(BaseForm):
    email = EmailField(
        "Email address", filters=[_strip], validators=[DataRequired("Enter your email address")]
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class SetPasswordForm(BaseForm):
    """A new password, typed twice. Set `account_email` so the password cannot be the email."""

    password = PasswordField("Create a password")
    confirm = PasswordField("Confirm your password")

    account_email: str | None = None

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "", self.account_email)
        if problem:
            raise ValidationError(problem)

    def validate_confirm(self, field: PasswordField) -> None:
        if not field.data:
            raise ValidationError("Confirm your password")
        if self.password.data and field.data != self.password.data:
            raise ValidationError("Passwords do not match. Type the same password twice")


class ForgotPasswordForm(BaseForm):
    email = EmailField("Email address", filters=[_strip], validators=[valid_email])
