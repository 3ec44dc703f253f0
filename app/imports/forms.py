"""The CSV upload form."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice

from app.forms import BaseForm


class ImportForm(BaseForm):
    kind = RadioField(
        "What does the file contain?",
        choices=[SelectChoice("schools", "Schools"), SelectChoice("posts", "Offers and requests")],
        default="schools",
    )
    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file to upload"),
            FileAllowed(["csv"], "The file must be a CSV file (ending .csv)"),
        ],
    )
    invite = BooleanField("Email an invitation to each new school contact")
