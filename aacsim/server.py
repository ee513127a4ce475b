"""Real HTTP listeners for the simulator: the API host and the gateway host.

Two `ThreadingHTTPServer`s speaking HTTP/1.1 with keep-alive, on daemon
threads, so requests from this process, a live server and Celery workers all
reach the same simulated AAC. The API listener also serves the token server
(`/as/token`) and the `/_sim` control API. Nothing here knows AAC: every
request goes to `aacsim.api.handle`.
"""

import logging
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aacsim.api import handle
from aacsim.messages import Drop, Hang, SimRequest, SimResponse
from aacsim.state import Simulator

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Urls:
    api: str
    gateway: str

    @property
    def issuer(self) -> str:
        return f"{self.api}/as"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aacsim"
    timeout = 60  # drop idle keep-alive connections
    # Headers and body go out in two writes; with Nagle's algorithm on, the
    # second waits for the client's delayed ACK (40 ms a request).
    disable_nagle_algorithm = True
    server: "_Server"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = SimRequest.build(
            method=self.command,
            surface=self.server.surface,
            target=self.path,
            headers=self.headers.items(),
            body=self.rfile.read(length) if length else b"",
        )
        try:
            reply = handle(self.server.sim, request)
        except Exception:
            logger.exception("simulator failed on %s %s", self.command, self.path)
            reply = SimResponse(500, b"simulator error\n")
        if isinstance(reply, Drop):
            self.close_connection = True
            return
        if isinstance(reply, Hang):
            time.sleep(reply.seconds)
            reply = reply.response
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout fault); nobody is listening.
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def _send(self, response: SimResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, fmt, *args):
        logger.debug("%s %s", self.server.surface, fmt % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address, sim: Simulator, surface: str):
        self.sim = sim
        self.surface = surface
        super().__init__(address, _Handler)

    def server_bind(self):
        # HTTPServer.server_bind resolves the host's FQDN, which can stall for
        # seconds on a machine without DNS; the name is never used here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


def _start(sim: Simulator, surface: str, host: str, port: int) -> _Server:
    server = _Server((host, port), sim, surface)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"aacsim-{surface}",
        daemon=True,
    )
    thread.start()
    return server


@contextmanager
def serve(
    sim: Simulator, host: str = "127.0.0.1", port: int = 0, gateway_port: int = 0
) -> Iterator[Urls]:
    """Serve `sim` on two ports (0 picks free ones) until the block ends.

    Sets `sim.issuer` to the API listener's `/as` URL unless it is already set.
    """
    servers = [_start(sim, "api", host, port)]
    try:
        servers.append(_start(sim, "gateway", host, gateway_port))
        api, gateway = (f"http://{host}:{s.server_address[1]}" for s in servers)
        urls = Urls(api=api, gateway=gateway)
        if sim.issuer is None:
            sim.issuer = urls.issuer
        yield urls
    finally:
        # Each shutdown waits up to a poll interval; wait for both at once.
        stoppers = [threading.Thread(target=server.shutdown) for server in servers]
        for stopper in stoppers:
            stopper.start()
        for stopper, server in zip(stoppers, servers, strict=True):
            stopper.join()
            server.server_close()
