"""The AAC HTTP client: one method per remote call, typed errors, no Django.

It owns everything about talking to AAC over HTTP: the auth and User-Agent
headers, the (connect, read) timeout on every request, retries of idempotent
GETs, the mapping of statuses and network failures to the errors in
`aac.errors`, and strict validation of every answer at the boundary. The API
facts it relies on are in shared/aac-api.md, cited below as §N.
"""

import logging
import math
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.exceptions import ChunkedEncodingError, ContentDecodingError
from urllib3.exceptions import MaxRetryError, NewConnectionError

from aac.errors import (
    AACError,
    AuthError,
    InvalidGrant,
    InvalidProjectId,
    NotFound,
    ProtocolError,
    RateLimited,
    Unavailable,
)

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 1000  # §3: schedules accept a limit of 1-1000
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
# Visible ASCII only: anything else cannot travel in a header, and requests would
# quote the whole header value (the token) in its InvalidHeader message.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")
_REDACTED = "[redacted]"


def _user_agent() -> str:
    try:
        return f"aac-portal/{version('aacportal')}"
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "aac-portal/dev"


USER_AGENT = _user_agent()


@dataclass(frozen=True)
class Endpoints:
    api_url: str
    gateway_url: str
    issuer: str
    token_url: str

    @classmethod
    def from_region(cls, region: Mapping[str, str]) -> "Endpoints":
        """Build from a `settings.AAC_REGIONS` entry (its `label` is ignored)."""
        issuer = region["issuer"].rstrip("/")
        return cls(
            api_url=region["api_url"].rstrip("/"),
            gateway_url=region["gateway_url"].rstrip("/"),
            issuer=issuer,
            token_url=region.get("token_url") or f"{issuer}/token",
        )


@dataclass(frozen=True)
class TokenGrant:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_in: int | None
    token_type: str


@dataclass(frozen=True)
class _Answer:
    """A successful response: where it came from, for errors, and its JSON."""

    where: str
    status: int
    request_id: str | None
    doc: Any

    def invalid(self, problem: str) -> ProtocolError:
        return ProtocolError(
            f"{self.where}: {problem}", status=self.status, request_id=self.request_id
        )


class AACClient:
    """A client for one AAC workspace's token, in one region."""

    def __init__(
        self,
        endpoints: Endpoints,
        access_token: str | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        get_attempts: int = 3,
        page_size: int = MAX_PAGE_SIZE,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if get_attempts < 1:
            raise ValueError("get_attempts must be at least 1")
        self.endpoints = endpoints
        self.access_token = access_token
        self.timeout = (connect_timeout, read_timeout)
        self.get_attempts = get_attempts
        self.page_size = page_size
        self.session = session or requests.Session()
        self._sleep = sleep

    def __repr__(self) -> str:
        token = "set" if self.access_token else "none"
        return f"<AACClient {self.endpoints.api_url} token={token}>"

    def current_workspace(self) -> dict:
        """The workspace the token belongs to (§4 "Workspace identity")."""
        answer = self._get(self.endpoints.api_url, "/v4/workspaces/current")
        return _workspace(answer)

    def current_workspace_via_gateway(self, project_id: str) -> dict:
        """The same through the API gateway, which also checks the project id (§1)."""
        answer = self._get(
            self.endpoints.gateway_url,
            "/iam/v1/workspaces/current",
            headers={"x-api-project-id": project_id},
        )
        return _workspace(answer)

    def iter_schedule_pages(self, page_size: int | None = None) -> Iterator[list[dict]]:
        """Every schedule the token sees, one page at a time (§3 paging, §4)."""
        limit = page_size or self.page_size
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"page size must be 1-{MAX_PAGE_SIZE}, not {limit}")
        offset = 0
        while True:
            answer = self._get(
                self.endpoints.api_url,
                "/v4/schedules",
                params={"limit": limit, "offset": offset},
            )
            page = _schedule_list(answer)
            if len(page) > limit:
                # Paging by offset would then skip or repeat schedules.
                raise answer.invalid(f"{len(page)} items in a page of {limit}")
            yield page
            if len(page) < limit:  # §3: the last page is the short one
                return
            offset += limit

    def count_schedules(self) -> int:
        """How many schedules the token sees (§4 Schedules, `/count`)."""
        answer = self._get(self.endpoints.api_url, "/v4/schedules/count")
        doc = _fields(answer, answer.doc, {"count": int})
        if doc["count"] < 0:
            raise answer.invalid("`count` is negative")
        return doc["count"]

    def get_schedule(self, schedule_id: int) -> dict:
        """One schedule by id (§4 Schedules)."""
        answer = self._get(self.endpoints.api_url, f"/v4/schedules/{schedule_id:d}")
        return _fields(answer, answer.doc, _SCHEDULE)

    def enable_schedule(self, schedule_id: int) -> dict:
        """Enable a schedule; AAC answers with the schedule (§4 Schedules)."""
        return self._set_schedule_state(schedule_id, "enable")

    def disable_schedule(self, schedule_id: int) -> dict:
        """Disable a schedule; AAC answers with the schedule (§4 Schedules)."""
        return self._set_schedule_state(schedule_id, "disable")

    def refresh(self, refresh_token: str, client_id: str) -> TokenGrant:
        """Trade the single-use refresh token for a new pair (§2 Refresh).

        Sent to the region's token URL, never to the token's `iss`, and never
        retried here: the token may already be spent when the answer is lost,
        and only the caller, holding the refresh lease, may decide to repeat.
        """
        answer = self._request(
            "POST",
            self.endpoints.token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": client_id,
            },
            bearer=False,
            secrets=(refresh_token,),
        )
        return _token_grant(answer)

    def _set_schedule_state(self, schedule_id: int, action: str) -> dict:
        url = f"{self.endpoints.api_url}/v4/schedules/{schedule_id:d}/{action}"
        answer = self._request("POST", url)
        return _fields(answer, answer.doc, _SCHEDULE)

    def _get(self, base_url: str, path: str, *, params=None, headers=None) -> _Answer:
        """GET, retrying Unavailable with exponential backoff and full jitter.

        A 503 that asks for a longer wait than the backoff cap is raised at
        once: the caller (Celery) schedules that retry instead of a sleeping
        worker (RELIABILITY rule 7).
        """
        attempt = 1
        while True:
            try:
                return self._request(
                    "GET", base_url + path, params=params, headers=headers
                )
            except Unavailable as exc:
                wait = exc.retry_after or 0.0
                if attempt >= self.get_attempts or wait > BACKOFF_CAP:
                    raise
                ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
                delay = max(wait, random.uniform(0, ceiling))
                attempt += 1
                logger.debug(
                    "GET %s unavailable; attempt %d of %d in %.2f s",
                    path,
                    attempt,
                    self.get_attempts,
                    delay,
                )
                self._sleep(delay)

    def _request(
        self,
        method: str,
        url: str,
        *,
        params=None,
        headers=None,
        data=None,
        bearer: bool = True,
        secrets: tuple[str, ...] = (),
    ) -> _Answer:
        """Send one request and return its validated JSON answer, or raise."""
        path = urlsplit(url).path
        where = f"{method} {path}"
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if bearer:
            if not self.access_token or not _HEADER_SAFE.fullmatch(self.access_token):
                raise AuthError(f"{where}: no usable access token")
            all_headers["Authorization"] = f"Bearer {self.access_token}"
        all_headers.update(headers or {})
        secrets = (*secrets, self.access_token or "")
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=all_headers,
                timeout=self.timeout,
                # A redirect could carry the form (and its refresh token) to
                # another host; AAC has no reason to redirect an API call.
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            logger.debug(
                "%s failed after %.0f ms: %s",
                where,
                (time.monotonic() - started) * 1000,
                type(exc).__name__,
            )
            error = _network_error(where, exc)
            if error is None:  # a local mistake (bad URL, bad header), not AAC's state
                raise
            raise error from exc
        request_id = response.headers.get("x-trifacta-request-id")
        logger.debug(
            "%s %s in %.0f ms, request id %s",
            where,
            response.status_code,
            (time.monotonic() - started) * 1000,
            request_id,
        )
        _raise_for_status(response, where, request_id, secrets)
        try:
            doc = response.json()
        except ValueError:
            content_type = response.headers.get("content-type", "no content type")
            raise ProtocolError(
                f"{where}: the answer is not JSON ({content_type})",
                status=response.status_code,
                request_id=request_id,
            ) from None
        return _Answer(where, response.status_code, request_id, doc)


def _network_error(where: str, exc: requests.RequestException) -> AACError | None:
    """Map a requests exception to a typed error, deciding whether AAC saw it."""
    if isinstance(exc, requests.ConnectTimeout):
        return Unavailable(f"{where}: timed out connecting", maybe_sent=False)
    if isinstance(exc, requests.ReadTimeout):
        return Unavailable(f"{where}: no answer within the read timeout")
    if isinstance(exc, requests.ConnectionError) and _never_connected(exc):
        return Unavailable(f"{where}: could not connect", maybe_sent=False)
    if isinstance(exc, requests.ConnectionError | ChunkedEncodingError):
        return Unavailable(f"{where}: the connection broke before the whole answer")
    if isinstance(exc, ContentDecodingError):
        return ProtocolError(f"{where}: the answer's content encoding is broken")
    return None


def _never_connected(exc: requests.ConnectionError) -> bool:
    # Connection refused and unknown hosts surface as a MaxRetryError whose
    # reason is a NewConnectionError; everything else happened after connecting.
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError)


def _raise_for_status(
    response: requests.Response,
    where: str,
    request_id: str | None,
    secrets: tuple[str, ...],
) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    body = _json_or_none(response)
    detail = _scrub(_error_detail(body), secrets)
    message = f"{where}: {status} {detail}".rstrip()
    context = {"status": status, "request_id": request_id}
    error: AACError
    if _is_oauth_error(body, "invalid_grant"):
        description = _scrub(_text(body.get("error_description")), secrets)
        error = InvalidGrant(message, description=description, **context)
    elif _is_invalid_api_key(body):
        error = InvalidProjectId(message, **context)
    elif status in (401, 403):
        error = AuthError(message, **context)
    elif status == 404:
        error = NotFound(message, **context)
    elif status == 429:
        error = RateLimited(message, retry_after=_retry_after(response), **context)
    elif status >= 500:
        error = Unavailable(message, retry_after=_retry_after(response), **context)
    else:
        error = ProtocolError(message, **context)
    raise error


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_detail(body: Any) -> str:
    """AAC's own words from any of its error bodies, or "" (§1, §2, §3, §4)."""
    if not isinstance(body, dict):
        return ""
    exception = body.get("exception")  # v4: {"exception": {"name", "message"}}
    if isinstance(exception, dict):
        return _join(exception.get("name"), exception.get("message"))
    fault = body.get("fault")  # Apigee: {"fault": {"faultstring", "detail"}}
    if isinstance(fault, dict):
        detail = fault.get("detail")
        code = detail.get("errorcode") if isinstance(detail, dict) else None
        return _join(fault.get("faultstring"), code)
    if "kind" in body:  # workflow service: {"kind", "message"}
        return _join(body.get("kind"), body.get("message"))
    if "error" in body:  # OAuth token server: {"error", "error_description"}
        return _join(body.get("error"), body.get("error_description"))
    return ""


def _is_oauth_error(body: Any, code: str) -> bool:
    return isinstance(body, dict) and body.get("error") == code


def _is_invalid_api_key(body: Any) -> bool:
    fault = body.get("fault") if isinstance(body, dict) else None
    detail = fault.get("detail") if isinstance(fault, dict) else None
    code = detail.get("errorcode") if isinstance(detail, dict) else None
    return isinstance(code, str) and code.endswith("InvalidApiKey")


def _join(*parts: Any) -> str:
    return ": ".join(_text(part) for part in parts if _text(part))


def _text(value: Any, limit: int = 300) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    # Error texts come from AAC; one that echoes a token must not carry it on.
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


def _retry_after(response: requests.Response) -> float | None:
    """Seconds from `x-retry-after` (§3), None when absent or garbage."""
    value = response.headers.get("x-retry-after")
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


_WORKSPACE = {"id": int, "name": str, "gid": str, "state": str}
_SCHEDULE = {"id": int}


def _fields(answer: _Answer, doc: Any, types: dict[str, type], at: str = "") -> dict:
    """Check that doc is an object whose fields have the given JSON types."""
    if not isinstance(doc, dict):
        raise answer.invalid(f"{at or 'the answer'} is not a JSON object")
    for name, kind in types.items():
        value = doc.get(name)
        # bool is an int in Python but never an id or a count in JSON.
        if not isinstance(value, kind) or isinstance(value, bool):
            raise answer.invalid(f"`{at}{name}` is missing or not {kind.__name__}")
    return doc


def _workspace(answer: _Answer) -> dict:
    return _fields(answer, answer.doc, _WORKSPACE)


def _schedule_list(answer: _Answer) -> list[dict]:
    """Validate a §3 list envelope of schedules: {"data": [{"id": int, ...}]}."""
    data = _fields(answer, answer.doc, {"data": list})["data"]
    for index, item in enumerate(data):
        _fields(answer, item, _SCHEDULE, at=f"data[{index}].")
    return data


def _token_grant(answer: _Answer) -> TokenGrant:
    """Validate the token server's answer (§2 Refresh)."""
    doc = answer.doc
    if not isinstance(doc, dict):
        raise answer.invalid("the answer is not a JSON object")
    access_token = doc.get("access_token")
    if not isinstance(access_token, str) or not _HEADER_SAFE.fullmatch(access_token):
        raise answer.invalid("no usable `access_token` in the answer")
    refresh_token = doc.get("refresh_token")
    if refresh_token is not None and not isinstance(refresh_token, str):
        raise answer.invalid("`refresh_token` is not a string")
    token_type = doc.get("token_type") or "Bearer"
    if not isinstance(token_type, str):
        raise answer.invalid("`token_type` is not a string")
    return TokenGrant(
        access_token=access_token,
        refresh_token=refresh_token or None,
        expires_in=_expires_in(answer, doc.get("expires_in")),
        token_type=token_type,
    )


def _expires_in(answer: _Answer, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
        if math.isfinite(seconds) and seconds >= 0:
            return int(seconds)
    raise answer.invalid("`expires_in` is not a number of seconds")
