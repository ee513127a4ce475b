"""Run the simulator: `python -m aacsim --port 8800 --gateway-port 8801`.

Prints, for each simulated workspace, what an admin would paste into the
portal (the simulator's demo credentials; printing them is the point), and
optionally writes them as JSON for scripts. `--owner-scoped N` makes the last
N workspaces list per owner, and `--people-pairs K` mints pairs for K people
of each of those (the admin first), so a demo can connect several people of
one workspace. Runs until interrupted.
"""

import argparse
import contextlib
import json
import logging
import signal
import sys
import threading
from collections import Counter
from pathlib import Path

from aacsim.server import serve
from aacsim.state import JWT_ALPHABETS, Simulator

NAMES = ("Demo EU", "Finance US", "Operations APAC", "Marketing", "Research")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m aacsim", description="A simulated Alteryx Analytics Cloud."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8800, help="API host; 0 = any")
    parser.add_argument("--gateway-port", type=int, default=8801, help="0 = any")
    parser.add_argument("--workspaces", type=int, default=3)
    parser.add_argument("--schedules", type=int, default=1500, help="per workspace")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--access-token-lifetime", type=int, default=3600)
    parser.add_argument(
        "--history-days", type=float, default=7, help="run history before start"
    )
    parser.add_argument(
        "--jwt-alphabet",
        choices=JWT_ALPHABETS,
        default="urlsafe",
        help="standard: Alteryx's example client can read the tokens",
    )
    parser.add_argument(
        "--owner-scoped",
        type=int,
        default=0,
        metavar="N",
        help="the last N workspaces list only the token user's schedules",
    )
    parser.add_argument(
        "--people-pairs",
        type=int,
        default=1,
        metavar="K",
        help="token pairs for K people of each owner-scoped workspace",
    )
    parser.add_argument(
        "--credentials-file", type=Path, help="also write the credentials as JSON"
    )
    return parser.parse_args(argv)


def workspace_name(index: int) -> str:
    base = NAMES[index % len(NAMES)]
    return base if index < len(NAMES) else f"{base} {index // len(NAMES) + 1}"


def describe(urls, credentials: list[dict]) -> str:
    lines = [
        f"API (v4, token server, /_sim): {urls.api}",
        f"Gateway:                       {urls.gateway}",
        f"Issuer:                        {urls.issuer}",
        "",
        "For the portal:",
        f"  AAC_SIMULATOR_URL={urls.api} AAC_SIMULATOR_GATEWAY_URL={urls.gateway}",
    ]
    shown = set()
    for entry in credentials:
        workspace, person = entry["workspace"], entry["person"]
        if workspace["id"] not in shown:
            shown.add(workspace["id"])
            lines += [
                "",
                f"Workspace: {workspace['name']}",
                f"  id:            {workspace['id']}",
                f"  gid:           {workspace['gid']}",
                f"  client id:     {workspace['client_id']}",
                f"  project id:    {workspace['project_id']}",
                f"  lists:         per {workspace['list_scope']}",
            ]
        lines += [
            f"  person:        {person['name']} <{person['email']}> ({person['id']})",
            f"  access token:  {entry['access_token']}",
            f"  refresh token: {entry['refresh_token']}",
        ]
    return "\n".join(lines)


def people_to_connect(workspace, count: int) -> list[int]:
    """The admin, then the active people who own the most schedules."""
    owned = Counter(s["createdBy"] for s in workspace.schedules.values())
    admin = workspace.people[0]["id"]
    others = sorted(
        (p["id"] for p in workspace.people[1:] if not p["isDisabled"]),
        key=lambda person: (-owned[person], person),
    )
    return [admin, *others][:count]


def write_credentials(path: Path, urls, credentials: list[dict]) -> None:
    """Write atomically, so a script polling for the file never reads half."""
    document = {
        "api_url": urls.api,
        "gateway_url": urls.gateway,
        "issuer": urls.issuer,
        "token_url": urls.token_url,
        "credentials": credentials,
    }
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document, indent=2, ensure_ascii=False))
    partial.replace(path)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    sim = Simulator(
        seed=args.seed,
        access_token_lifetime=args.access_token_lifetime,
        history_days=args.history_days,
        jwt_alphabet=args.jwt_alphabet,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with serve(sim, args.host, args.port, args.gateway_port) as urls:
        for index in range(args.workspaces):
            owner_scoped = index >= args.workspaces - args.owner_scoped
            workspace = sim.add_workspace(
                name=workspace_name(index),
                schedules=args.schedules,
                list_scope="owner" if owner_scoped else "workspace",
            )
            pairs = args.people_pairs if owner_scoped else 1
            for person_id in people_to_connect(workspace, pairs):
                sim.new_token_pair(workspace.id, person_id=person_id)
        credentials = sim.credentials()
        if args.credentials_file:
            write_credentials(args.credentials_file, urls, credentials)
        print(describe(urls, credentials), end="\n\nReady. Ctrl-C stops.\n", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    print("Stopped.", file=sys.stderr)


if __name__ == "__main__":
    main()
