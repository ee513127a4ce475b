import json
import re
import signal
import subprocess
import sys
import threading
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


def test_it_runs_prints_credentials_and_stops_cleanly(tmp_path):
    credentials_file = tmp_path / "credentials.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aacsim",
            "--port=0",
            "--gateway-port=0",
            "--workspaces=2",
            "--schedules=30",
            "--seed=5",
            "--access-token-lifetime=600",
            f"--credentials-file={credentials_file}",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        printed = read_until_ready(process)
        api = re.search(r"^API .*: (http://\S+)$", printed, re.M)[1]
        refresh_tokens = re.findall(r"^  refresh token: (\S+)$", printed, re.M)
        client_ids = re.findall(r"^  client id: +(\S+)$", printed, re.M)
        written = json.loads(credentials_file.read_text())

        token = requests.post(
            f"{api}/as/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_tokens[1],
                "client_id": client_ids[1],
            },
            timeout=5,
        ).json()
        listed = requests.get(
            f"{api}/v4/schedules",
            params={"includeCount": "true"},
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=5,
        ).json()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)

    assert re.findall(r"^Workspace: (.+)$", printed, re.M) == ["Demo EU", "Finance US"]
    assert written["api_url"] == api
    assert [c["refresh_token"] for c in written["credentials"]] == refresh_tokens
    assert token["expires_in"] == 600
    assert listed["count"] == 30
    assert process.returncode == 0
    assert "Stopped." in stderr
