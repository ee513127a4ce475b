"""Model fields every cached kind of AAC object shares."""

from django.db import models


def seen_by_field() -> models.BigIntegerField:
    return models.BigIntegerField(
        default=0,
        editable=False,
        help_text="Bits of the connections (by slot) whose last list held it.",
    )


def unparsed_field() -> models.BooleanField:
    # Kept so that a sync that skips an unchanged item without parsing it
    # still counts it as not fully understood.
    return models.BooleanField(
        default=False,
        editable=False,
        help_text="The parser did not fully understand what AAC sent.",
    )
