"""The dashboard's term filter: a GET form, so the chosen term sits in the address."""

from __future__ import annotations

from collections.abc import Sequence

from wtforms import SelectField

from app.forms import BaseForm


class TermForm(BaseForm):
    class Meta:
        csrf = False

    term = SelectField("Term", choices=[], validate_choice=False)

    @classmethod
    def for_terms(cls, options: Sequence[tuple[str, str]], chosen: str) -> TermForm:
        form = cls(formdata=None, data={"term": chosen})
        form.term.choices = list(options)
        return form
