"""A logging filter that removes secrets from every record, and an error-report
filter that hides them in DEBUG too.

The log filter is the last line of defence (docs/reliability.md rule 11): the
code never logs a token on purpose, but a library's debug line (urllib3
printing a request, an exception quoting a body) might. Installed on every
handler by settings.LOGGING. The report filter makes Django honour the
`sensitive_variables` and `sensitive_post_parameters` markers of the token
code in DEBUG as well: a developer's error page is still a page someone can
see.
"""

import logging
import re

from django.views.debug import SafeExceptionReporterFilter

REDACTED = "[redacted]"

_PATTERNS = [
    # JWT-shaped strings: three base64url segments, the first a JSON header.
    re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    re.compile(r"(?i)(bearer\s+)[^\s'\",]+"),
    # The portal's own API tokens (api/tokens.py), wherever they appear.
    re.compile(r"aacp_[A-Za-z0-9_-]{20,}"),
    re.compile(r"(?i)((?:refresh|access)_token=)[^&\s'\",]+"),
    re.compile(r"(?i)(\"(?:refresh|access)_token\"\s*:\s*\")[^\"]*"),
    re.compile(r"(?i)('(?:refresh|access)_token'\s*:\s*')[^']*"),
]


def redact(text: str) -> str:
    """Return text with every token-looking value replaced."""
    for pattern in _PATTERNS:
        text = pattern.sub(
            lambda m: (m.group(1) if m.groups() else "") + REDACTED, text
        )
    return text


class RedactSecrets(logging.Filter):
    """Rewrite the record's message, arguments and traceback text in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class TokensHiddenInDebug(SafeExceptionReporterFilter):
    """Django's filter, active whatever DEBUG says (it hides nothing in DEBUG)."""

    def is_active(self, request) -> bool:
        return True
