"""What a detector returns: one subject its rule found, in words."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Hit:
    subject_id: str
    subject_name: str
    message: str
    # When the trouble began, if the data says; else the finding's opening.
    since: datetime | None = None
    data: dict = field(default_factory=dict)
