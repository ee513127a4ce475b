"""Prometheus metrics, read from the database at scrape time.

A custom collector rather than counters kept in memory: every gunicorn
process answers the same figures, whichever the scrape reaches, and nothing
is lost when one restarts. Six queries per scrape, whatever the number of
workspaces; every series is labelled by workspace (its name) and region.
docs/attention.md lists the metrics; docs/alert-rules.yml alerts on them.
"""

from datetime import datetime, timedelta

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from attention.models import Finding
from attention.queries import open_findings
from schedules.assets.models import RunHour
from schedules.models import Schedule, SyncRun
from workspaces.models import Connection, Workspace

LABELS = ["workspace", "region"]
PERIOD = timedelta(hours=24)


class PortalCollector(Collector):
    def __init__(self, *, now: datetime) -> None:
        self.now = now

    def collect(self):
        names = {ws.pk: (ws.name, ws.region) for ws in Workspace.objects.all()}
        yield from self._schedules(names)
        yield from self._findings(names)
        yield from self._syncs(names)
        yield from self._tokens(names)
        yield from self._runs(names)

    def _schedules(self, names):
        family = GaugeMetricFamily(
            "aac_schedules",
            "Cached schedules by state: enabled, disabled, and enabled with a "
            "disabled owner.",
            labels=[*LABELS, "state"],
        )
        rows = (
            Schedule.objects.order_by()
            .values("workspace")
            .annotate(
                total=Count("workspace"),
                on=Count("workspace", filter=Q(enabled=True)),
                orphaned=Count(
                    "workspace", filter=Q(enabled=True, owner_disabled=True)
                ),
            )
        )
        for row in rows:
            labels = names.get(row["workspace"])
            if labels is None:
                continue
            family.add_metric([*labels, "enabled"], row["on"])
            family.add_metric([*labels, "disabled"], row["total"] - row["on"])
            family.add_metric([*labels, "owner_disabled"], row["orphaned"])
        yield family

    def _findings(self, names):
        family = GaugeMetricFamily(
            "aac_open_findings",
            "Open, unmuted findings by rule (docs/attention.md).",
            labels=[*LABELS, "rule", "severity"],
        )
        rows = (
            open_findings(Finding.objects.all(), now=self.now)
            .order_by()
            .values("workspace", "rule", "severity")
            .annotate(n=Count("id"))
        )
        for row in rows:
            if labels := names.get(row["workspace"]):
                family.add_metric([*labels, row["rule"], row["severity"]], row["n"])
        yield family

    def _syncs(self, names):
        outcome = GaugeMetricFamily(
            "aac_sync_last_outcome",
            "1 for the outcome of the workspace's last finished sync.",
            labels=[*LABELS, "outcome"],
        )
        duration = GaugeMetricFamily(
            "aac_sync_last_duration_seconds",
            "How long the workspace's last finished sync took.",
            labels=LABELS,
        )
        age = GaugeMetricFamily(
            "aac_sync_data_age_seconds",
            "Seconds since the workspace's last successful sync ended.",
            labels=LABELS,
        )
        finished = SyncRun.objects.filter(
            workspace=OuterRef("pk"), status__in=SyncRun.FINISHED_STATES
        ).order_by("-finished_at", "-id")
        rows = Workspace.objects.annotate(
            status=Subquery(finished.values("status")[:1]),
            started=Subquery(finished.values("started_at")[:1]),
            finished=Subquery(finished.values("finished_at")[:1]),
            last_ok=Max(
                "sync_runs__finished_at", filter=Q(sync_runs__status="succeeded")
            ),
        ).values("pk", "status", "started", "finished", "last_ok")
        for row in rows:
            labels = names[row["pk"]]
            if row["status"]:
                outcome.add_metric([*labels, row["status"]], 1)
            if row["started"] and row["finished"]:
                seconds = (row["finished"] - row["started"]).total_seconds()
                duration.add_metric(list(labels), seconds)
            if row["last_ok"]:
                age.add_metric(
                    list(labels), (self.now - row["last_ok"]).total_seconds()
                )
        yield from (outcome, duration, age)

    def _tokens(self, names):
        family = GaugeMetricFamily(
            "aac_refresh_token_expires_in_seconds",
            "Seconds until a connection's refresh token reaches the lifetime "
            "chosen in AAC (negative: expired).",
            labels=[*LABELS, "connection"],
        )
        reauth = GaugeMetricFamily(
            "aac_connection_needs_reauth",
            "1 when AAC refused the connection's refresh token.",
            labels=[*LABELS, "connection"],
        )
        for connection in Connection.objects.all():
            labels = [*names[connection.workspace_id], connection.person]
            reauth.add_metric(
                labels, int(connection.state == Connection.State.NEEDS_REAUTH)
            )
            if (ends := connection.refresh_token_expires_at) is not None:
                family.add_metric(labels, (ends - self.now).total_seconds())
        yield from (family, reauth)

    def _runs(self, names):
        family = GaugeMetricFamily(
            "aac_runs_last_24h",
            "Runs created in the last 24 hours, by AAC's status.",
            labels=[*LABELS, "status"],
        )
        rows = (
            RunHour.objects.filter(hour__gte=self.now - PERIOD)
            .order_by()
            .values("workspace", "status")
            .annotate(n=Sum("runs"))
        )
        for row in rows:
            if labels := names.get(row["workspace"]):
                family.add_metric([*labels, row["status"]], row["n"])
        yield family
