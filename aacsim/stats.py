"""Request and refresh counters, for tests and benchmarks to read."""

import threading
from collections import Counter


class Stats:
    """Thread-safe counters: successful refreshes per workspace id, and
    requests per (workspace id or None, endpoint name)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.refreshes: Counter[int] = Counter()
        self.requests: Counter[tuple[int | None, str]] = Counter()

    def count_refresh(self, workspace_id: int) -> None:
        with self._lock:
            self.refreshes[workspace_id] += 1

    def count_request(self, workspace_id: int | None, endpoint: str) -> None:
        with self._lock:
            self.requests[(workspace_id, endpoint)] += 1

    def reset(self) -> None:
        with self._lock:
            self.refreshes.clear()
            self.requests.clear()

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "refreshes": [
                    {"workspace": ws, "count": n} for ws, n in self.refreshes.items()
                ],
                "requests": [
                    {"workspace": ws, "endpoint": endpoint, "count": n}
                    for (ws, endpoint), n in self.requests.items()
                ],
            }
