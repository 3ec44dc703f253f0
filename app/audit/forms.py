"""The audit log's filters (sent by GET, so no CSRF token)."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField

from app.audit.services import ACTIONS, SERVICE_ACTOR
from app.forms import BaseForm
from app.models import User

SERVICE = "service"


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    action = SelectField(
        "Decision",
        choices=[SelectChoice("", "Any decision")]
        + [SelectChoice(value, label) for value, label in ACTIONS.items()],
        validate_choice=False,
    )
    person = SelectField("Who", choices=[], validate_choice=False)

    def set_people(self, people: list[User]) -> None:
        self.person.choices = [SelectChoice("", "Anyone"), SelectChoice(SERVICE, SERVICE_ACTOR)] + [
            SelectChoice(str(user.id), user.name) for user in people
        ]

    def action_value(self) -> str:
        return self.action.data if self.action.data in ACTIONS else ""

    def person_value(self) -> int | str | None:
        """A user id, SERVICE for the scheduled jobs, or None for anyone."""
        value = self.person.data or ""
        if value == SERVICE:
            return SERVICE
        return int(value) if value.isdigit() else None
