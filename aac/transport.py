"""The one request path to AAC: where to send, how, and what came back.

Every call of the client goes through `Transport._request`: it adds the
bearer token and the User-Agent, always passes a (connect, read) timeout,
never follows a redirect, captures AAC's `x-trifacta-request-id`, maps
network failures and error statuses to the typed errors (`aac.failures`) and
hands back the decoded JSON. GETs are idempotent and retried on transient
failures with backoff and full jitter; POSTs never are (docs/reliability.md
rule 7).
"""

import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from aac.errors import AuthError, ProtocolError, Unavailable
from aac.failures import network_error, status_error
from aac.results import AlreadyStarted

logger = logging.getLogger(__name__)

T = TypeVar("T")

# docs/aac-api.md, Conventions of the v4 API: schedules take a limit of 1-1000;
# other lists have been seen to cap theirs near 100, which looks like the end.
MAX_PAGE_SIZE = 1000
LIST_PAGE_SIZE = 100
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
NOT_MODIFIED = 304
REQUEST_ID = "x-trifacta-request-id"
EXECUTION_ID = "x-execution-id"
# Visible ASCII only: anything else cannot travel in a header, and requests would
# quote the whole header value (the token) in its InvalidHeader message.
HEADER_SAFE = re.compile(r"[\x21-\x7e]+")


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
class Answer:
    """A successful response: where it came from, for errors, and its JSON.

    `doc` is None only for an answer without a body (304, or an empty body the
    call said it accepts).
    """

    where: str
    status: int
    request_id: str | None
    doc: Any

    def invalid(self, problem: str) -> ProtocolError:
        return ProtocolError(
            f"{self.where}: {problem}", status=self.status, request_id=self.request_id
        )


class Transport:
    """A session to one AAC region, holding one workspace's access token."""

    def __init__(
        self,
        endpoints: Endpoints,
        access_token: str | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        get_attempts: int = 3,
        page_size: int = MAX_PAGE_SIZE,
        list_page_size: int = LIST_PAGE_SIZE,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if get_attempts < 1:
            raise ValueError("get_attempts must be at least 1")
        self.endpoints = endpoints
        self.access_token = access_token
        self.timeout = (connect_timeout, read_timeout)
        self.get_attempts = get_attempts
        self.page_size = page_size  # schedules
        self.list_page_size = list_page_size  # every other list
        self.session = session or requests.Session()
        self._sleep = sleep

    def __repr__(self) -> str:
        token = "set" if self.access_token else "none"
        return f"<{type(self).__name__} {self.endpoints.api_url} token={token}>"

    def _get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        base_url: str | None = None,
    ) -> Answer:
        """GET, retrying Unavailable with exponential backoff and full jitter.

        A 503 that asks for a longer wait than the backoff cap is raised at
        once: the caller (Celery) schedules that retry instead of a sleeping
        worker (docs/reliability.md rule 7).
        """
        url = (base_url or self.endpoints.api_url) + path
        attempt = 1
        while True:
            try:
                return self._request("GET", url, params=params, headers=headers)
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

    def _post(
        self,
        path: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        not_modified_ok: bool = False,
        empty_ok: bool = False,
    ) -> Answer:
        """POST to the v4 host, once: AAC may have acted even when the answer is
        lost, so only the caller may decide to repeat it."""
        return self._request(
            "POST",
            self.endpoints.api_url + path,
            json=json,
            headers=headers,
            not_modified_ok=not_modified_ok,
            empty_ok=empty_ok,
        )

    def _start(
        self,
        path: str,
        *,
        execution_id: str | None,
        parse: Callable[[Answer], T],
        json: Any = None,
    ) -> T | AlreadyStarted:
        """POST a run call, once, with its idempotency key if given.

        AAC answers a repeated `x-execution-id` with 304 and no body instead of
        starting a second run (docs/aac-api.md, Conventions of the v4 API): that
        is the retried press of a button, not an error.
        """
        headers = {}
        if execution_id is not None:
            if not HEADER_SAFE.fullmatch(execution_id):
                raise ValueError("an execution id must be visible ASCII, no spaces")
            headers[EXECUTION_ID] = execution_id
        answer = self._post(
            path, json=json, headers=headers, not_modified_ok=execution_id is not None
        )
        if execution_id is not None and answer.status == NOT_MODIFIED:
            return AlreadyStarted(execution_id, answer.request_id)
        return parse(answer)

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: Any = None,
        bearer: bool = True,
        secrets: tuple[str, ...] = (),
        not_modified_ok: bool = False,
        empty_ok: bool = False,
    ) -> Answer:
        """Send one request and return its validated answer, or raise."""
        where = f"{method} {urlsplit(url).path}"
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if bearer:
            if not self.access_token or not HEADER_SAFE.fullmatch(self.access_token):
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
                json=json,
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
            error = network_error(where, exc)
            if error is None:
                raise
            raise error from exc
        request_id = response.headers.get(REQUEST_ID)
        logger.debug(
            "%s %s in %.0f ms, request id %s",
            where,
            response.status_code,
            (time.monotonic() - started) * 1000,
            request_id,
        )
        status = response.status_code
        if status == NOT_MODIFIED and not_modified_ok:
            return Answer(where, status, request_id, None)
        if not 200 <= status < 300:
            raise status_error(response, where, request_id, secrets)
        if empty_ok and not response.content.strip():
            return Answer(where, status, request_id, None)
        try:
            doc = response.json()
        except ValueError:
            content_type = response.headers.get("content-type", "no content type")
            raise ProtocolError(
                f"{where}: the answer is not JSON ({content_type})",
                status=status,
                request_id=request_id,
            ) from None
        return Answer(where, status, request_id, doc)
