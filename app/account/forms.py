"""The account pages' form: confirming deletion with the password."""

from __future__ import annotations

from wtforms import PasswordField
from wtforms.validators import DataRequired

from app.forms import BaseForm


class DeleteAccountForm(BaseForm):
    password = PasswordField("Your password", validators=[DataRequired("Enter your password")])
