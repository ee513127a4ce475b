"""`Idempotency-Key`: a retried action is answered, not repeated.

A write that carries the header is claimed by a row (unique per user and
key) before it acts; its answer is stored on that row and replayed to any
later request with the same key, with `Idempotent-Replayed: true`. The same
key with another method, path or body is a 422; a second request while the
first is still being answered is a 409. An action that fails with an error
releases its key, so the retry acts. Keys are kept AAC_API_IDEMPOTENCY_HOURS.
"""

import functools
import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import Refused
from api.models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY = 255


def idempotent(method):
    """Wrap a view method that acts; the request's key, if any, guards it."""

    @functools.wraps(method)
    def wrapper(view, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return method(view, request, *args, **kwargs)
        claim = _claim(request, key)
        if claim.status is not None:
            response = Response(claim.body, status=claim.status)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            response = method(view, request, *args, **kwargs)
        except Exception:
            claim.delete()
            raise
        claim.status, claim.body = response.status_code, response.data
        claim.save(update_fields=["status", "body"])
        return response

    return wrapper


def _claim(request: Request, key: str) -> IdempotentRequest:
    if not key or len(key) > MAX_KEY:
        raise Refused(
            f"{HEADER} must be 1 to {MAX_KEY} characters.",
            code="invalid_idempotency_key",
            status=400,
        )
    expired = timezone.now() - timedelta(hours=settings.AAC_API_IDEMPOTENCY_HOURS)
    IdempotentRequest.objects.filter(created_at__lt=expired).delete()
    fingerprint = hashlib.sha256(
        b"\n".join([request.method.encode(), request.path.encode(), request.body])
    ).hexdigest()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                user=request.user, key=key, fingerprint=fingerprint
            )
    except IntegrityError:
        pass
    found = IdempotentRequest.objects.get(user=request.user, key=key)
    if found.fingerprint != fingerprint:
        raise Refused(
            f"This {HEADER} was used for another request.",
            code="idempotency_key_reused",
            status=422,
        )
    if found.status is None:
        raise Refused(
            f"A request with this {HEADER} is still being answered.",
            code="idempotency_key_in_use",
        )
    return found
