"""The base form every form in the app uses."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_wtf import FlaskForm

CSRF_EXPIRED_MESSAGE = (
    "This page timed out to keep your information secure. "
    "Check your answers and submit the form again."
)


class BaseForm(FlaskForm):
    """A FlaskForm that, after a CSRF failure, fails validation but keeps what was typed."""

    def validate_on_submit(self, extra_validators: Any = None) -> bool:
        if g.get("csrf_error"):
            # Still show any other mistakes, so the user fixes everything in one go.
            super().validate(extra_validators=extra_validators)
            self.csrf_token.errors = [CSRF_EXPIRED_MESSAGE]
            self.form_errors.clear()
            return False
        return super().validate_on_submit(extra_validators=extra_validators)
