"""Login and password-reset throttling: whose request it is, and when to refuse.

django-axes counts failed logins per username and client address
(AXES_FAILURE_LIMIT within AXES_COOLOFF_TIME). `AddressLimitHandler` adds a
bound on one address across every username (AAC_LOGIN_ADDRESS_FAILURE_LIMIT),
so an address cannot try a few passwords on each account (password
spraying). `client_address` is the address both count: REMOTE_ADDR, or, only
when AAC_TRUSTED_PROXY_HEADER names the header a trusted reverse proxy sets,
the address that proxy saw. A password reset is refused when its address or
its e-mail asked AAC_PASSWORD_RESET_LIMIT times within the hour.
"""

import hashlib
import ipaddress
import logging
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import PasswordResetRequest

logger = logging.getLogger(__name__)

RESET_WINDOW = timedelta(hours=1)


def client_address(request: HttpRequest) -> str | None:
    """The client's address, as the trusted proxy saw it when one is configured.

    Each proxy appends the address it saw to a header such as X-Forwarded-For,
    after whatever the client sent; so the address is the
    AAC_TRUSTED_PROXY_COUNT-th from the right. Without a configured header the
    header is never read: a client could write anything into it.
    """
    remote = request.META.get("REMOTE_ADDR")
    header = settings.AAC_TRUSTED_PROXY_HEADER
    if not header:
        return remote
    value = request.META.get(f"HTTP_{header.upper().replace('-', '_')}", "")
    hops = [hop.strip() for hop in value.split(",") if hop.strip()]
    count = settings.AAC_TRUSTED_PROXY_COUNT
    if len(hops) < count:
        logger.warning("No client address in %s; using the proxy's", header)
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        logger.warning("%s holds no address where expected; using the proxy's", header)
        return remote


class AddressLimitHandler(AxesDatabaseHandler):
    """django-axes' handler, which also locks an address that failed too often
    across all usernames within the cool-off time."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or (
            _address_failures(request) >= settings.AAC_LOGIN_ADDRESS_FAILURE_LIMIT
        )


def _address_failures(request) -> int:
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address,
        attempt_time__gte=get_cool_off_threshold(request),
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def reset_allowed(*, address: str | None, email: str) -> bool:
    """Record a password-reset request; False (and nothing recorded) when its
    address or its e-mail asked AAC_PASSWORD_RESET_LIMIT times within the hour.

    The e-mail is kept as a digest, whether or not it belongs to anybody: the
    answer must not tell which e-mails are known.
    """
    now = timezone.now()
    PasswordResetRequest.objects.filter(requested_at__lt=now - RESET_WINDOW).delete()
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    recent = PasswordResetRequest.objects.filter(requested_at__gte=now - RESET_WINDOW)
    limit = settings.AAC_PASSWORD_RESET_LIMIT
    if (
        recent.filter(address=address).count() >= limit
        or recent.filter(email_digest=digest).count() >= limit
    ):
        logger.warning("Password reset refused: too many requests")
        return False
    PasswordResetRequest.objects.create(
        address=address, email_digest=digest, requested_at=now
    )
    return True
