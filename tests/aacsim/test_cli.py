import base64
import json
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def read_until_ready(process: subprocess.Popen) -> str:
    """Its output up to "Ready."; a hung start-up is killed after 30 s."""
    watchdog = threading.Timer(30, process.kill)
    watchdog.start()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Ready."):
                return "".join(lines)
    finally:
        watchdog.cancel()
    raise AssertionError("the simulator exited early:\n" + "".join(lines))


@contextmanager
def simulator(credentials_file: Path, *flags: str):
    """`python -m aacsim` on free ports; yields what it printed until ready,
    then stops it with SIGTERM and records its exit in `stopped`."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aacsim",
            "--port=0",
            "--gateway-port=0",
            f"--credentials-file={credentials_file}",
            *flags,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stopped = {}
    try:
        yield read_until_ready(process), stopped
    finally:
        process.send_signal(signal.SIGTERM)
        _, stopped["stderr"] = process.communicate(timeout=10)
        stopped["returncode"] = process.returncode


def refresh(api: str, refresh_token: str, client_id: str) -> dict:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": client_id,
    }
    return requests.post(f"{api}/as/token", data=form, timeout=5).json()


def test_it_runs_prints_credentials_and_stops_cleanly(tmp_path):
    credentials_file = tmp_path / "credentials.json"
    flags = ("--workspaces=2", "--schedules=30", "--seed=5")
    with simulator(credentials_file, *flags, "--access-token-lifetime=600") as (
        printed,
        stopped,
    ):
        api = re.search(r"^API .*: (http://\S+)$", printed, re.M)[1]
        refresh_tokens = re.findall(r"^  refresh token: (\S+)$", printed, re.M)
        client_ids = re.findall(r"^  client id: +(\S+)$", printed, re.M)
        written = json.loads(credentials_file.read_text())
        token = refresh(api, refresh_tokens[1], client_ids[1])
        listed = requests.get(
            f"{api}/v4/schedules",
            params={"includeCount": "true"},
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=5,
        ).json()

    assert re.findall(r"^Workspace: (.+)$", printed, re.M) == ["Demo EU", "Finance US"]
    assert written["api_url"] == api
    assert [c["refresh_token"] for c in written["credentials"]] == refresh_tokens
    assert token["expires_in"] == 600
    assert listed["count"] == 30
    assert stopped["returncode"] == 0
    assert "Stopped." in stopped["stderr"]


def test_it_connects_several_people_of_a_per_owner_workspace(tmp_path):
    credentials_file = tmp_path / "credentials.json"
    flags = (
        "--workspaces=3",
        "--schedules=60",
        "--owner-scoped=1",
        "--people-pairs=3",
        "--jwt-alphabet=standard",
        "--history-days=1",
    )
    with simulator(credentials_file, *flags) as (printed, _):
        api = re.search(r"^API .*: (http://\S+)$", printed, re.M)[1]
        entries = json.loads(credentials_file.read_text())["credentials"]
        counts = []
        for entry in entries:
            token = refresh(
                api, entry["refresh_token"], entry["workspace"]["client_id"]
            )
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            counts.append(
                requests.get(
                    f"{api}/v4/schedules/count", headers=headers, timeout=5
                ).json()["count"]
            )
        oldest = requests.get(
            f"{api}/v4/jobLibrary",
            params={"sort": "createdAt", "limit": 1},
            headers=headers,
            timeout=5,
        ).json()["data"][0]["createdAt"]

    names = [(e["workspace"]["name"], e["workspace"]["list_scope"]) for e in entries]
    assert names == [
        ("Demo EU", "workspace"),
        ("Finance US", "workspace"),
        *[("Operations APAC", "owner")] * 3,
    ]
    people = [e["person"]["id"] for e in entries[2:]]
    assert len(set(people)) == 3
    assert counts[:2] == [60, 60]
    assert all(0 < count < 60 for count in counts[2:])
    assert len(re.findall(r"^  person: ", printed, re.M)) == 5
    assert "lists:         per owner" in printed
    started = datetime.fromisoformat(oldest.replace("Z", "+00:00")).timestamp()
    assert time.time() - started < 86400 + 60
    for entry in entries:  # Alteryx's example client can read every token
        payload = entry["access_token"].split(".")[1]
        assert json.loads(base64.b64decode(f"{payload}===="))["sub"]
