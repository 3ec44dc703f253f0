"""Forms behind the links in emails: answer a suggestion, and email preferences."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from app.forms import BaseForm
from app.replies.services import NOTE_MAX_LENGTH, Preferences


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ConfirmAnswerForm(BaseForm):
    """'Yes, we're interested': one button, nothing to fill in."""


class AnswerWithReasonForm(BaseForm):
    """'Not now' or 'Not relevant', with an optional reason. Set reason.choices per side."""

    reason = RadioField(
        "Why? (optional)",
        choices=[],
        validators=[Optional()],
        invalid_choice_message="Choose one of the reasons, or none",
    )
    note = TextAreaField(
        "Anything else you would like the coordinators to know? (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            Length(
                max=NOTE_MAX_LENGTH,
                message=f"Your note must be {NOTE_MAX_LENGTH} characters or fewer",
            ),
        ],
    )


class PreferencesForm(BaseForm):
    digest_enabled = BooleanField("Send me the weekly digest email")
    digest_can_help = BooleanField("Where you could help")
    digest_could_help_you = BooleanField("Who could help you")
    digest_news = BooleanField("Partnership news")

    def validate_digest_can_help(self, field: BooleanField) -> None:
        # An enabled digest with every part switched off would be an empty email.
        if self.digest_enabled.data and not (
            field.data or self.digest_could_help_you.data or self.digest_news.data
        ):
            raise ValidationError(
                "Choose at least one part of the digest, or stop the weekly digest"
            )

    def preferences(self) -> Preferences:
        return Preferences(
            digest_enabled=bool(self.digest_enabled.data),
            digest_can_help=bool(self.digest_can_help.data),
            digest_could_help_you=bool(self.digest_could_help_you.data),
            digest_news=bool(self.digest_news.data),
        )
