"""The token server and "who am I": `/as/token`, the current workspace.

docs/aac-api.md, Tokens and Workspace identity: refresh tokens rotate on
every use, and the gateway's twin of `/v4/workspaces/current` wants the API
project id in `x-api-project-id`, else Apigee's `Invalid ApiKey` fault (its
401 status is a guess).
"""

from urllib.parse import parse_qs

from aacsim.api.replies import oauth_error, route
from aacsim.messages import SimResponse
from aacsim.tokens import InvalidGrant

INVALID_API_KEY = SimResponse.json(
    401,
    {
        "fault": {
            "faultstring": "Invalid ApiKey",
            "detail": {"errorcode": "oauth.v2.InvalidApiKey"},
        }
    },
)


def _token(sim, request, caller, params) -> SimResponse:
    form = parse_qs(request.body.decode("utf-8", "replace"))
    grant_type, refresh_token, client_id = (
        form.get(name, [""])[0] for name in ("grant_type", "refresh_token", "client_id")
    )
    if not grant_type:
        return oauth_error("invalid_request", "Missing grant_type parameter.")
    if grant_type != "refresh_token":
        return oauth_error("unsupported_grant_type", "Unsupported grant type.")
    if not refresh_token:
        return oauth_error("invalid_request", "Missing refresh_token parameter.")
    if not client_id:
        return oauth_error("invalid_request", "Missing client_id parameter.")
    try:
        pair = sim.refresh(refresh_token, client_id=client_id)
    except InvalidGrant as exc:
        return oauth_error("invalid_grant", exc.description)
    body = {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "expires_in": pair.expires_in,
        "token_type": "Bearer",
    }
    return SimResponse.json(200, body, **{"Cache-Control": "no-store"})


def _current_workspace(sim, request, caller, params) -> SimResponse:
    return SimResponse.json(200, caller.workspace.as_json())


def _gateway_workspace(sim, request, caller, params) -> SimResponse:
    if request.headers.get("x-api-project-id") != caller.workspace.project_id:
        return INVALID_API_KEY
    return _current_workspace(sim, request, caller, params)


ROUTES = (
    route("POST", r"/as/token", "token", _token, dialect="oauth"),
    route("GET", r"/v4/workspaces/current", "workspaces.current", _current_workspace),
    route(
        "GET",
        r"/iam/v1/workspaces/current",
        "gateway.workspaces.current",
        _gateway_workspace,
        surface="gateway",
    ),
)
