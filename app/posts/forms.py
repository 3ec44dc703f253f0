"""Forms for posting, editing and browsing offers and requests."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import Field, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation, ValidationError

from app.forms import BaseForm
from app.models import PostFormat, PostKind
from app.posts.services import partnership_today

KIND_CHOICES = [
    SelectChoice(PostKind.OFFER.value, "Offer \u2013 something your school can give"),
    SelectChoice(PostKind.REQUEST.value, "Request \u2013 something your school needs"),
]
FORMAT_CHOICES = [
    SelectChoice(PostFormat.IN_PERSON.value, "In person"),
    SelectChoice(PostFormat.REMOTE.value, "Remote"),
    SelectChoice(PostFormat.EITHER.value, "Either"),
]
MIN_CAPACITY, MAX_CAPACITY = 1, 20


class WholeNumberField(StringField):
    """A whole number typed as text: re-displays exactly what was typed; .number once valid."""

    def __init__(
        self,
        label: str,
        validators: Any = None,
        *,
        minimum: int,
        maximum: int,
        message: str,
        **kw: Any,
    ) -> None:
        super().__init__(label, validators, **kw)
        self.minimum, self.maximum, self.message = minimum, maximum, message

    @property
    def number(self) -> int | None:
        try:
            return int((self.data or "").strip())
        except ValueError:
            return None

    def process_data(self, value: Any) -> None:
        self.data = "" if value is None else str(value)

    def pre_validate(self, form: Any) -> None:
        text = (self.data or "").strip()
        if not text:
            return  # the validators say whether it may be left empty
        if not text.isdigit() or not self.minimum <= int(text) <= self.maximum:
            raise StopValidation(self.message)


class DateInputField(Field):
    """The GOV.UK date input: three boxes named <name>-day, <name>-month and <name>-year.

    Keeps each box as typed; .data is a date, or None when all three are empty or invalid.
    """

    PARTS = ("day", "month", "year")

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.object_data = data
        self.raw_data = []
        self.parts = {p: "" for p in self.PARTS}
        if formdata is not None and any(f"{self.name}-{p}" in formdata for p in self.PARTS):
            self.parts = {p: formdata.get(f"{self.name}-{p}", "") for p in self.PARTS}
            self.raw_data = [self.parts[p] for p in self.PARTS]
        elif isinstance(data, date):
            self.parts = {"day": str(data.day), "month": str(data.month), "year": str(data.year)}
        self.data = self._parse()

    def _parse(self) -> date | None:
        try:
            return date(*(int(self.parts[p].strip()) for p in ("year", "month", "day")))
        except ValueError:
            return None

    def pre_validate(self, form: Any) -> None:
        values = {p: self.parts[p].strip() for p in self.PARTS}
        if not any(values.values()):
            return
        missing = [p for p in self.PARTS if not values[p]]
        label = _plain(self)
        if missing:
            raise StopValidation(f"{label} must include a {' and '.join(missing)}")
        if not all(v.isdigit() for v in values.values()):
            raise StopValidation(f"{label} must be a real date")
        if len(values["year"]) != 4:
            raise StopValidation("Year must include 4 numbers")
        if self.data is None:
            raise StopValidation(f"{label} must be a real date")

    def _value(self) -> str:
        return self.data.isoformat() if self.data else ""


class KindForm(BaseForm):
    """The first question: an offer or a request (a GET form: nothing changes yet)."""

    class Meta:
        csrf = False

    kind = RadioField(
        "What would you like to post?",
        choices=KIND_CHOICES,
        invalid_choice_message="Select whether you are posting an offer or a request",
    )


class PostForm(BaseForm):
    school = SelectField(
        "School",
        choices=[],
        validators=[DataRequired("Select the school this post is for")],
        invalid_choice_message="Select the school this post is for",
    )
    title = StringField(
        "Title",
        validators=[
            DataRequired("Enter a title"),
            Length(max=120, message="Title must be 120 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description (optional)",
        validators=[Length(max=5000, message="Description must be 5,000 characters or fewer")],
    )
    tags = StringField(
        "Topics (optional)",
        validators=[Length(max=500, message="Topics must be 500 characters or fewer")],
    )
    format = RadioField(
        "How can you work together?",
        choices=FORMAT_CHOICES,
        invalid_choice_message="Select in person, remote or either",
    )
    capacity = WholeNumberField(
        "How many schools can you support?",
        validators=[InputRequired("Enter how many schools you can support")],
        minimum=MIN_CAPACITY,
        maximum=MAX_CAPACITY,
        message=(
            f"Number of schools must be a whole number between {MIN_CAPACITY} and {MAX_CAPACITY}"
        ),
    )
    time_commitment = StringField(
        "Time commitment (optional)",
        validators=[Length(max=120, message="Time commitment must be 120 characters or fewer")],
    )
    available_from = DateInputField("Available from (optional)")
    available_until = DateInputField("Available until (optional)")

    def __init__(
        self,
        *args: Any,
        kind: PostKind,
        school_choices: list[tuple[int, str]] | None = None,
        saved_until: date | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.kind = kind
        self.saved_until = saved_until
        if school_choices is None:
            # Leaders always post for their own school.
            del self.school
        else:
            self.school.choices = [SelectChoice("", "Select a school")] + [
                SelectChoice(str(sid), name) for sid, name in school_choices
            ]
        if kind == PostKind.REQUEST:
            del self.capacity
            self.format.label.text = "How could another school help?"
            self.available_from.label.text = "Needed from (optional)"
            self.available_until.label.text = "Needed until (optional)"

    def validate_available_until(self, field: DateInputField) -> None:
        if field.data is None:
            return
        start = self.available_from.data
        if start is not None and field.data < start:
            raise ValidationError(
                f"{_plain(field)} must be the same as or after {start.day} {start:%B %Y}"
            )
        if field.data < partnership_today() and field.data != self.saved_until:
            raise ValidationError(f"{_plain(field)} must be today or in the future")


def _plain(field: Field) -> str:
    """The label without its "(optional)" marker, for error messages."""
    return field.label.text.replace(" (optional)", "")


class DeleteForm(BaseForm):
    """Confirm deleting a post (only the CSRF token)."""


class BrowseForm(BaseForm):
    """The browse filters: a GET form, read leniently (unknown values mean "any")."""

    class Meta:
        csrf = False

    q = StringField("Search")
    kind = RadioField(
        "Show",
        choices=[
            SelectChoice("", "Offers and requests"),
            SelectChoice("offer", "Offers"),
            SelectChoice("request", "Requests"),
        ],
        default="",
    )
    tag = SelectField("Topic", choices=[])
    format = RadioField(
        "Format",
        choices=[
            SelectChoice("", "Any"),
            SelectChoice("in_person", "In person"),
            SelectChoice("remote", "Remote"),
        ],
        default="",
    )
    distance = SelectField(
        "Distance from your school",
        choices=[
            SelectChoice("", "Any distance"),
            SelectChoice("5", "Within 5 miles"),
            SelectChoice("10", "Within 10 miles"),
            SelectChoice("20", "Within 20 miles"),
            SelectChoice("40", "Within 40 miles"),
        ],
        default="",
    )
