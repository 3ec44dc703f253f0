"""Coordinator forms: schools and taxonomy concepts."""

from __future__ import annotations

from typing import Any

from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from app.admin import services
from app.forms import BaseForm


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class SchoolForm(BaseForm):
    """Add or edit a school; parsed values are left on `parsed` after validation."""

    name = StringField(
        "School name",
        filters=[_strip],
        validators=[DataRequired("Enter the school's name"), Length(max=200)],
    )
    urn = StringField("URN (optional)", filters=[_strip])
    town = StringField("Town or village", filters=[_strip], validators=[Length(max=100)])
    postcode = StringField("Postcode", filters=[_strip])
    latitude = StringField("Latitude (optional)", filters=[_strip])
    longitude = StringField("Longitude (optional)", filters=[_strip])
    phase = SelectField(
        "Phase",
        choices=[SelectChoice(v, label) for v, label in services.PHASES],
        default="primary",
    )
    pupils = StringField("Number of pupils (optional)", filters=[_strip])
    descriptors = StringField("Descriptors (optional)", filters=[_strip])

    def __init__(self, *args: Any, school_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school_id = school_id

    def validate_name(self, field: StringField) -> None:
        if field.data and services.school_name_taken(field.data, self.school_id):
            raise ValidationError("Another school already has this name")

    def validate_urn(self, field: StringField) -> None:
        try:
            urn = services.parse_urn(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if urn and services.school_urn_taken(urn, self.school_id):
            raise ValidationError("Another school already has this URN")

    def validate_postcode(self, field: StringField) -> None:
        try:
            services.normalise_postcode(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def validate_latitude(self, field: StringField) -> None:
        try:
            services.parse_coordinates(field.data or "", self.longitude.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def validate_pupils(self, field: StringField) -> None:
        try:
            services.parse_pupils(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def validate_descriptors(self, field: StringField) -> None:
        try:
            services.parse_descriptors(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def to_data(self) -> services.SchoolData:
        """The checked values (call after validate_on_submit)."""
        latitude, longitude = services.parse_coordinates(
            self.latitude.data or "", self.longitude.data or ""
        )
        return services.SchoolData(
            name=self.name.data,
            urn=services.parse_urn(self.urn.data or ""),
            town=self.town.data or "",
            postcode=services.normalise_postcode(self.postcode.data or ""),
            latitude=latitude,
            longitude=longitude,
            phase=self.phase.data,
            pupils=services.parse_pupils(self.pupils.data or ""),
            descriptors=services.parse_descriptors(self.descriptors.data or ""),
        )

    def fill_from(self, data: services.SchoolData) -> None:
        self.name.data = data.name
        self.urn.data = data.urn or ""
        self.town.data = data.town
        self.postcode.data = data.postcode
        self.latitude.data = "" if data.latitude is None else f"{data.latitude:g}"
        self.longitude.data = "" if data.longitude is None else f"{data.longitude:g}"
        self.phase.data = data.phase if data.phase in services.PHASE_VALUES else "primary"
        self.pupils.data = "" if data.pupils is None else str(data.pupils)
        self.descriptors.data = ", ".join(data.descriptors)


class ConceptForm(BaseForm):
    """Add or edit a concept in the taxonomy."""

    label = StringField(
        "Name",
        filters=[_strip],
        validators=[DataRequired("Enter the concept's name"), Length(max=120)],
    )
    parent = SelectField("Belongs under", choices=[], coerce=str)
    aliases = StringField("Other names (optional)", filters=[_strip])
    abbreviations = StringField("Abbreviations (optional)", filters=[_strip])

    def __init__(self, *args: Any, tag: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tag = tag
        # Only choices that cannot make a cycle are offered; the service checks again.
        excluded = set()
        if tag is not None:
            from app.taxonomy.services import descendant_ids

            excluded = set(descendant_ids(tag.id))
        self.parent.choices = [SelectChoice("", "None (a top-level category)")] + [
            SelectChoice(str(t.id), t.label)
            for t in services.all_concepts()
            if t.id not in excluded
        ]

    def validate_aliases(self, field: StringField) -> None:
        for text in services.split_list(field.data or ""):
            if len(text) > 120:
                raise ValidationError("Each other name must be 120 characters or fewer")

    def validate_abbreviations(self, field: StringField) -> None:
        for text in services.split_list(field.data or ""):
            if len(text) > 120:
                raise ValidationError("Each abbreviation must be 120 characters or fewer")

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators=extra_validators)
        if not self.label.errors and self.label.data:
            problems = services.check_concept(
                self.label.data,
                services.split_list(self.aliases.data or "")
                + services.split_list(self.abbreviations.data or ""),
                tag=self.tag,
            )
            if "label" in problems:
                self.label.errors.append(problems["label"])
                ok = False
            if "aliases" in problems and not self.aliases.errors:
                self.aliases.errors.append(problems["aliases"])
                ok = False
        return ok

    @property
    def parent_id(self) -> int | None:
        return int(self.parent.data) if self.parent.data else None


class MergeForm(BaseForm):
    """Choose the concept to merge into; `confirm` is set on the confirmation page."""

    target = SelectField("Merge into", choices=[], coerce=str)
    confirm = HiddenField()

    def __init__(self, *args: Any, source: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target.choices = [SelectChoice("", "Choose a concept")] + [
            SelectChoice(str(t.id), t.label) for t in services.all_concepts() if t.id != source.id
        ]

    def validate_target(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError("Choose the concept to merge into")
