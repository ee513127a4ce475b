"""Ctrl-C for the demo alone, and the ports it needs, checked before it starts.

The terminal sends Ctrl-C's SIGINT to its whole foreground process group. Run
from a shell, that group is the demo's own; run by `make demo`, it is make's
too, and make, interrupted, dies by the signal whatever the demo then returns
("make: *** Interrupt", a failure). So the demo takes a process group of its
own and the terminal with it for as long as it runs, as a shell does for a job,
and hands the terminal back at the end: Ctrl-C stops the demo, the demo stops
its services and exits 0, and so does make.
"""

import os
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def own_terminal() -> Iterator[None]:
    """Make Ctrl-C reach this process alone (see the module's docstring)."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:  # no terminal: a test, a service manager, `nohup`
        tty = None
    if tty is None:
        yield
        return
    previous = os.getpgrp()
    try:
        # Already a group of its own (started by a shell), or in the background.
        if previous == os.getpid() or os.tcgetpgrp(tty) != previous:
            yield
            return
        os.setpgid(0, 0)
        _give_terminal(tty, os.getpgrp())
        try:
            yield
        finally:
            _give_terminal(tty, previous)
    finally:
        os.close(tty)


def _give_terminal(tty: int, group: int) -> None:
    # A process outside the foreground group that takes the terminal gets
    # SIGTTOU, which would stop it; shells ignore it for the call, as here.
    handler = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(tty, group)
    except OSError:
        pass  # the old group is gone: the shell takes its terminal back itself
    finally:
        signal.signal(signal.SIGTTOU, handler)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something listens on the port (as the servers bind: with
    SO_REUSEADDR, so a port a stopped demo left in TIME_WAIT counts as free)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def free_port(*, pair: bool = False) -> int:
    """A port nothing listens on (with `pair`, the next one is free too: the
    simulator's two)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if not pair or not port_in_use(port + 1):
            return port
