"""Forms for reviewing suggestions."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.forms import BaseForm
from app.review.services import NOTE_MAX, REJECT_REASON_MAX


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class RunNowForm(BaseForm):
    force = BooleanField("Run again this week")


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token to check."""


class RejectForm(BaseForm):
    reason = TextAreaField(
        "Why are you rejecting this suggestion?",
        filters=[_strip],
        validators=[
            DataRequired("Enter why you are rejecting this suggestion"),
            Length(
                max=REJECT_REASON_MAX,
                message=f"The reason must be {REJECT_REASON_MAX} characters or fewer",
            ),
        ],
    )


class NoteForm(BaseForm):
    note = TextAreaField(
        "Note for both schools (optional)",
        filters=[_strip],
        validators=[
            Length(max=NOTE_MAX, message=f"The note must be {NOTE_MAX} characters or fewer")
        ],
    )


class SwapForm(BaseForm):
    offer = HiddenField(validators=[DataRequired("Choose an offer to swap to")])

    @property
    def offer_id(self) -> int | None:
        value = (self.offer.data or "").strip()
        return int(value) if value.isdigit() else None


class ApproveAboveForm(BaseForm):
    run = HiddenField()
    threshold = StringField(
        "Approve every suggestion scoring at least (%)",
        filters=[_strip],
        validators=[DataRequired("Enter a score from 0 to 100")],
    )

    def validate_threshold(self, field: StringField) -> None:
        if not field.data:
            return
        value = field.data.rstrip("%").strip()
        if not value.isdigit() or not 0 <= int(value) <= 100:
            raise ValidationError("Enter a score from 0 to 100, as a whole number")

    @property
    def fraction(self) -> float:
        """The threshold on the engine's 0 to 1 scale."""
        return int(self.threshold.data.rstrip("%").strip()) / 100


class PairForm(BaseForm):
    offer = SelectField(
        "Offer",
        choices=[],
        validate_choice=False,
        validators=[DataRequired("Choose an offer")],
    )
    reason = StringField(
        "Reason (optional)",
        filters=[_strip],
        validators=[Length(max=500, message="The reason must be 500 characters or fewer")],
    )

    def validate_offer(self, field: SelectField) -> None:
        allowed = {str(value) for value, _ in field.choices}  # type: ignore[union-attr]
        if field.data and field.data not in allowed:
            raise ValidationError("Choose an open offer from another school")
