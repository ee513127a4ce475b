"""Serve the simulator through `responses`, for fast tests without sockets.

The same core as the HTTP server answers; only the transport differs. A
`timeout` fault raises `requests.exceptions.ReadTimeout` at once (no waiting)
and a `drop` raises the `ConnectionError` requests raises when the server
closes the connection without answering, after the simulator has acted.
"""

import re
from functools import partial
from http.client import RemoteDisconnected
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import ProtocolError

from aacsim.api import handle
from aacsim.messages import Drop, Hang, SimRequest
from aacsim.state import Simulator

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


def mount(
    sim: Simulator,
    rsps,
    api_url: str = "https://sim.test",
    gateway_url: str = "https://api.sim.test",
) -> None:
    """Register callbacks on the `responses.RequestsMock` `rsps` for both hosts.

    Sets `sim.issuer` to `api_url + "/as"` unless already set; an issuer on
    another host gets its `/token` URL registered too. Most registered
    callbacks are never hit in a given test, so this switches off the mock's
    `assert_all_requests_are_fired`.
    """
    api_url, gateway_url = api_url.rstrip("/"), gateway_url.rstrip("/")
    if sim.issuer is None:
        sim.issuer = f"{api_url}/as"
    rsps.assert_all_requests_are_fired = False
    mounts = [("api", api_url, None), ("gateway", gateway_url, None)]
    if not sim.issuer.startswith(f"{api_url}/"):
        mounts.append(("api", f"{sim.issuer}/token", "/as/token"))
    for surface, base, path in mounts:
        pattern = re.compile(re.escape(base) + (r"(?:\?|$)" if path else r"(?:/|\?|$)"))
        callback = partial(_respond, sim, surface, path)
        for method in METHODS:
            rsps.add_callback(method, pattern, callback=callback, content_type=None)


def _respond(sim: Simulator, surface: str, path: str | None, request):
    url = urlsplit(request.url)
    target = (path or url.path) + (f"?{url.query}" if url.query else "")
    body = request.body or b""
    reply = handle(
        sim,
        SimRequest.build(
            method=request.method,
            surface=surface,
            target=target,
            headers=request.headers.items(),
            body=body.encode() if isinstance(body, str) else body,
        ),
    )
    if isinstance(reply, Drop):
        return requests.exceptions.ConnectionError(
            ProtocolError(
                "Connection aborted.",
                RemoteDisconnected("Remote end closed connection without response"),
            ),
            request=request,
        )
    if isinstance(reply, Hang):
        return requests.exceptions.ReadTimeout(
            f"Read timed out (the simulator hangs {reply.seconds:g} s)",
            request=request,
        )
    return reply.status, dict(reply.headers), reply.body
