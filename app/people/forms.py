"""Forms for the coordinators' people pages."""

from __future__ import annotations

from typing import Any

from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from app.auth.forms import valid_email
from app.forms import BaseForm
from app.models import Role, School
from app.people.services import ROLE_LABELS, PersonStatus


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


ROLE_CHOICES = [
    SelectChoice(role.value, ROLE_LABELS[role]) for role in (Role.LEADER, Role.COORDINATOR)
]


def school_choices(schools: list[School], empty_label: str) -> list[SelectChoice]:
    return [SelectChoice("", empty_label)] + [
        SelectChoice(str(school.id), school.name) for school in schools
    ]


# Each form builds its own fields, so they keep page order (which the error summary follows).
def _name_field() -> Any:
    return StringField(
        "Full name",
        filters=[_strip],
        validators=[
            DataRequired("Enter their full name"),
            Length(max=120, message="Full name must be 120 characters or fewer"),
        ],
    )


def _job_title_field() -> Any:
    return StringField(
        "Job title (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=120, message="Job title must be 120 characters or fewer"),
        ],
    )


def _role_field() -> Any:
    return RadioField("Role", choices=ROLE_CHOICES, validators=[InputRequired("Choose their role")])


class _SchoolChoice:
    """A school drop-down, required for school leaders."""

    school: SelectField

    def set_schools(self, schools: list[School]) -> None:
        self.school.choices = school_choices(schools, "Choose a school")

    def school_id(self) -> int | None:
        return int(self.school.data) if self.school.data else None

    def needs_school(self) -> bool:
        raise NotImplementedError

    def validate_school(self, field: SelectField) -> None:
        known = {choice.value for choice in field.choices or [] if choice.value}
        if field.data and field.data not in known:
            raise ValidationError("Choose a school from the list")
        if not field.data and self.needs_school():
            raise ValidationError("Choose the school they lead in")


class InviteForm(_SchoolChoice, BaseForm):
    name = _name_field()
    email = EmailField("Email address", filters=[_strip], validators=[valid_email])
    job_title = _job_title_field()
    role = _role_field()
    school = SelectField("School", choices=[], validate_choice=False)

    def needs_school(self) -> bool:
        return self.role.data == Role.LEADER.value


class EditPersonForm(_SchoolChoice, BaseForm):
    name = _name_field()
    job_title = _job_title_field()
    school = SelectField("School", choices=[], validate_choice=False)

    # Set by the view: a school leader must keep a school.
    person_role: Role = Role.LEADER

    def needs_school(self) -> bool:
        return self.person_role == Role.LEADER


def _reason_field() -> Any:
    # Kept in the audit log with the decision.
    return StringField(
        "Reason (optional)",
        filters=[_strip],
        validators=[Optional(), Length(max=500, message="Reason must be 500 characters or fewer")],
    )


class RoleForm(BaseForm):
    role = RadioField(
        "Choose their role", choices=ROLE_CHOICES, validators=[InputRequired("Choose their role")]
    )
    reason = _reason_field()


class SetActiveForm(BaseForm):
    active = HiddenField(validators=[AnyOf(["true", "false"])])
    # Its own name: the role form's reason box is on the same page.
    active_reason = _reason_field()


class PeopleFilterForm(BaseForm):
    """The list's search and filters, sent by GET."""

    class Meta:
        csrf = False

    q = SearchField("Name or email", filters=[_strip])
    school = SelectField("School", choices=[], validate_choice=False)
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")]
        + [SelectChoice(status.value, status.label) for status in PersonStatus],
        validate_choice=False,
    )

    def set_schools(self, schools: list[School]) -> None:
        self.school.choices = school_choices(schools, "All schools")

    def school_id(self) -> int | None:
        value = self.school.data or ""
        return int(value) if value.isdigit() else None

    def status_value(self) -> PersonStatus | None:
        try:
            return PersonStatus(self.status.data)
        except ValueError:
            return None
