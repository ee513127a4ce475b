"""Model fields every cached kind of AAC object shares."""

from django.db import models


def seen_by_field() -> models.BigIntegerField:
    return models.BigIntegerField(
        default=0,
        editable=False,
        help_text="Bits of the connections (by slot) whose last list held it.",
    )
