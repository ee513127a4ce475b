"""Logins, failed logins and lock-outs into the activity log.

Django sends the first two (`user_logged_in`, `user_login_failed`),
django-axes the third (`user_locked_out`). A failed login names whom it
tried by the username typed, never by the password; the address is the one
the throttling counts (`accounts.throttling.client_address`).
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts.throttling import client_address
from activity.log import record
from activity.models import Action, Outcome


@receiver(user_logged_in, dispatch_uid="activity-login")
def logged_in(sender, request, user, **kwargs) -> None:
    record(
        Action.LOGIN,
        outcome=Outcome.SUCCEEDED,
        user=user,
        message=_from(request),
    )


@receiver(user_login_failed, dispatch_uid="activity-login-failed")
def login_failed(sender, credentials, request=None, **kwargs) -> None:
    record(
        Action.LOGIN_FAILED,
        outcome=Outcome.FAILED,
        username=str(credentials.get("username", "")),
        message=_from(request),
    )


@receiver(user_locked_out, dispatch_uid="activity-locked-out")
def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    record(
        Action.LOCKED_OUT,
        outcome=Outcome.REFUSED,
        username=str(username or ""),
        message=f"Locked out after repeated failures, from {ip_address}.",
    )


def _from(request) -> str:
    address = client_address(request) if request is not None else None
    return f"From {address}." if address else ""
