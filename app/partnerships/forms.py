"""Forms for a partnership's aims, impact, withdrawal and check-in answers."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forms import BaseForm
from app.partnerships.services import NOTE_MAX_LENGTH, RATING_LABELS, AimsData, ImpactData
from app.posts.forms import DateInputField, WholeNumberField


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _text(label: str, message: str, max_length: int = 2000, required: bool = True) -> TextAreaField:
    checks = [DataRequired(message)] if required else [Optional()]
    return TextAreaField(
        label,
        filters=[_strip],
        validators=[
            *checks,
            Length(max=max_length, message=f"{label} must be {max_length} characters or fewer"),
        ],
    )


class AimsForm(BaseForm):
    what = _text("What will you do together?", "Say what you will do together")
    who = StringField(
        "Who is it for?",
        filters=[_strip],
        validators=[
            DataRequired("Say which pupils or staff it is for"),
            Length(max=300, message="Who it is for must be 300 characters or fewer"),
        ],
    )
    difference = _text(
        "What difference should it make for children?",
        "Say what difference it should make for children",
    )
    evidence = _text("How will you know?", "Say how you will know it has made a difference")
    time_commitment = StringField(
        "Time commitment (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=120, message="Time commitment must be 120 characters or fewer"),
        ],
    )
    starts_on = DateInputField("Start date (optional)")
    ends_on = DateInputField("End date (optional)")

    def validate_ends_on(self, field: DateInputField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("End date must be the same as or after the start date")

    def aims(self) -> AimsData:
        return AimsData(
            what=self.what.data or "",
            who=self.who.data or "",
            difference=self.difference.data or "",
            evidence=self.evidence.data or "",
            time_commitment=self.time_commitment.data or "",
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
        )

    @classmethod
    def field_names(cls) -> dict[str, str]:
        """Form field -> Partnership attribute, for filling the form from a partnership."""
        return {
            "what": "aims_what",
            "who": "aims_who",
            "difference": "aims_difference",
            "evidence": "aims_evidence",
            "time_commitment": "time_commitment",
            "starts_on": "starts_on",
            "ends_on": "ends_on",
        }


class ImpactForm(BaseForm):
    what_changed = _text("What changed?", "Say what changed")
    pupils_reached = WholeNumberField(
        "How many pupils did it reach?",
        validators=[DataRequired("Enter how many pupils it reached, or 0")],
        minimum=0,
        maximum=100000,
        message="Pupils reached must be a whole number, like 30",
    )
    staff_reached = WholeNumberField(
        "How many staff did it reach?",
        validators=[DataRequired("Enter how many staff it reached, or 0")],
        minimum=0,
        maximum=10000,
        message="Staff reached must be a whole number, like 4",
    )
    evidence = _text("What is your evidence?", "Say what your evidence is")
    rating = RadioField(
        "How much difference did it make?",
        choices=[SelectChoice(str(k), v) for k, v in RATING_LABELS.items()],
        validators=[DataRequired("Choose how much difference it made")],
        invalid_choice_message="Choose how much difference it made",
    )
    quote = _text(
        "In a sentence, what would you tell another school about it? (optional)",
        "",
        max_length=500,
        required=False,
    )
    quote_shareable = BooleanField("The partnership may share this sentence with our school's name")

    def impact(self) -> ImpactData:
        return ImpactData(
            what_changed=self.what_changed.data or "",
            pupils_reached=self.pupils_reached.number or 0,
            staff_reached=self.staff_reached.number or 0,
            evidence=self.evidence.data or "",
            rating=int(self.rating.data),
            quote=self.quote.data or "",
            quote_shareable=bool(self.quote_shareable.data),
        )


class WithdrawForm(BaseForm):
    reason = _text(
        "Why are you withdrawing?",
        "Say why, so the coordinators can learn from it",
        max_length=300,
    )


class ConfirmForm(BaseForm):
    """One button, nothing to fill in."""


class CheckInForm(BaseForm):
    note = _text("Anything you would like to add? (optional)", "", NOTE_MAX_LENGTH, required=False)
