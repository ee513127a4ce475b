"""The token call: trading a single-use refresh token for a new pair."""

import math
from dataclasses import dataclass, field
from typing import Any

from aac.transport import HEADER_SAFE, Answer, Transport


@dataclass(frozen=True)
class TokenGrant:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_in: int | None
    token_type: str


class TokenCalls(Transport):
    def refresh(self, refresh_token: str, client_id: str) -> TokenGrant:
        """`POST {token_url}`: trade the single-use refresh token for a new pair.

        Sent to the region's token URL, never to the token's `iss`, and never
        retried here: refresh tokens are single-use (docs/aac-api.md, Tokens),
        the token may already be spent when the answer is lost, and only the
        caller, holding the refresh lease, may decide to repeat.
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


def _token_grant(answer: Answer) -> TokenGrant:
    """Check the token server's answer: a usable access token, at least."""
    doc = answer.doc
    if not isinstance(doc, dict):
        raise answer.invalid("the answer is not a JSON object")
    access_token = doc.get("access_token")
    if not isinstance(access_token, str) or not HEADER_SAFE.fullmatch(access_token):
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


def _expires_in(answer: Answer, value: Any) -> int | None:
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
