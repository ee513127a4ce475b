"""Every URL of the URLconf, asked by each kind of user: who gets what.

One entry per URL pattern, admin's included, in groups: the portal's pages,
its buttons, accounts, health, the admin site, and the admin's pages of each
model. A URL without an entry fails `test_every_url_has_an_entry`, so a new
page cannot ship without saying who may see it (docs/reliability.md rule 10).

The people: anonymous; carol views "Acme EU"; charlie is a member of nothing;
bob operates Acme; alice is a superuser. The API's URLs are asked with each
one's API token instead of a session, and with bob's read-only, expired and
revoked tokens (`API`, `ApiExpect`). Carol, charlie and bob are staff with
the model permissions an administrator gives portal users (see `STAFF_PERMS`),
so in the admin their memberships decide. Each request runs in a transaction
rolled back afterwards: a button pressed by one does not change what the next
one sees.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Profile
from actions.models import BulkChange, RunRequest, Window
from activity.log import record
from activity.models import Action, Outcome
from attention.models import Finding
from attention.unsubscribe import unsubscribe_token
from health.models import WorkerHeartbeat
from schedules.models import Flow, Plan, Schedule, SyncRun, Workflow
from tests.api.calls import api_client
from tests.factories import (
    make_aac_run,
    make_asset,
    make_people,
    make_person,
    make_run,
    make_schedule,
    make_token,
    make_workspace,
)
from workspaces.models import ConnectionTask, Membership, Workspace

LOGIN = "302 /accounts/login/?next="
# The admin site's own views send visitors to the admin's login form.
ADMIN_LOGIN = "302 /admin/login/?next="
# The admin's answer to an object outside the user's scope: "does not exist",
# back to the admin's index.
ADMIN_INDEX = "302 /admin/"
ROLES = ("anonymous", "viewer", "non_member", "operator", "superuser")
STAFF_PERMS = (
    "view_workspace",
    "change_workspace",
    "view_connection",
    "change_connection",
    "view_connectiontask",
    "view_membership",
    "view_person",
    "view_schedule",
    "view_syncrun",
    "view_plan",
    "view_flow",
    "view_workflow",
    "view_run",
)


@dataclass(frozen=True)
class Expect:
    anonymous: int | str
    viewer: int | str
    non_member: int | str
    operator: int | str
    superuser: int | str


@dataclass(frozen=True)
class ApiExpect:
    """An API URL's answer to each token: none, bob's expired, revoked and
    read-only ones, and each member's own."""

    anonymous: int
    expired: int
    revoked: int
    read_only: int
    viewer: int
    non_member: int
    operator: int
    superuser: int


API_ROLES = tuple(ApiExpect.__dataclass_fields__)


@dataclass(frozen=True)
class Route:
    url: Callable[[SimpleNamespace], str]
    expect: Expect | ApiExpect
    method: str = "get"
    # The admin model whose row the URL opens, for "{object}" in answers.
    model: str = ""
    # The JSON body of an API request.
    data: dict | None = None


def everyone(answer, *, anonymous=LOGIN) -> Expect:
    return Expect(anonymous, answer, answer, answer, answer)


def members(*, viewer, operator, non_member=404, anonymous=LOGIN) -> Expect:
    return Expect(anonymous, viewer, non_member, operator, 200)


def staff(answer, *, superuser=200, anonymous=LOGIN) -> Expect:
    """An admin page whose answer does not depend on membership."""
    return Expect(anonymous, answer, answer, answer, superuser)


def scoped(*, viewer, operator, non_member=ADMIN_INDEX, superuser=200) -> Expect:
    """An admin page of a row in Acme: what membership decides."""
    return Expect(LOGIN, viewer, non_member, operator, superuser)


def path(route: str) -> Callable[[SimpleNamespace], str]:
    return lambda world: route


def named(name: str, *args: str, query: str = "") -> Callable:
    def url(world: SimpleNamespace) -> str:
        values = [getattr(world, arg) for arg in args]
        return reverse(name, args=values) + query

    return url


PAGES = {
    "": Route(named("pages:dashboard"), everyone(200)),
    "schedules/": Route(named("pages:schedules"), everyone(200)),
    "schedules.csv": Route(named("pages:schedules_csv"), everyone(200)),
    "workspaces/<int:workspace_id>/": Route(
        named("pages:workspace", "acme_id"), members(viewer=200, operator=200)
    ),
    "runs/": Route(named("pages:runs"), everyone(200)),
    "attention/": Route(named("pages:attention"), everyone(200)),
    # Scoped rows: each sees the activity of the workspaces they may see.
    "activity/": Route(named("pages:activity"), everyone(200)),
    "activity.csv": Route(named("pages:activity_csv"), everyone(200)),
    # Confirmations of actions: operators only (a viewer sees no button).
    "changes/new/": Route(
        named("pages:change_new", query="?action=disable&all=1"),
        Expect(LOGIN, 403, 403, 200, 200),
    ),
    "changes/<int:change_id>/": Route(
        named("pages:change", "change_id"), members(viewer=200, operator=200)
    ),
    "windows/": Route(named("pages:windows"), everyone(200)),
    "windows/new/": Route(
        named("pages:window_new", query="?all=1"),
        Expect(LOGIN, 403, 403, 200, 200),
    ),
    "windows/<int:window_id>/": Route(
        named("pages:window", "window_id"), members(viewer=200, operator=200)
    ),
    "workspaces/<int:workspace_id>/run/<str:kind>/<str:aac_id>/": Route(
        lambda world: reverse(
            "pages:run_now", args=[world.acme_id, "plan", world.plan_aac_id]
        ),
        members(viewer=403, operator=200),
    ),
    # A pressed Run now's progress, polled by its page.
    "run-requests/<int:run_id>/": Route(
        named("pages:run_request", "run_id"), members(viewer=200, operator=200)
    ),
    "plans/": Route(named("pages:plans"), everyone(200)),
    "flows/": Route(named("pages:flows"), everyone(200)),
    "workflows/": Route(named("pages:workflows"), everyone(200)),
    "workspaces/<int:workspace_id>/schedules/<int:aac_id>/": Route(
        named("pages:schedule", "acme_id", "schedule_aac_id"),
        members(viewer=200, operator=200),
    ),
    "workspaces/<int:workspace_id>/plans/<int:aac_id>/": Route(
        named("pages:plan", "acme_id", "plan_aac_id"),
        members(viewer=200, operator=200),
    ),
    "workspaces/<int:workspace_id>/flows/<int:aac_id>/": Route(
        named("pages:flow", "acme_id", "flow_aac_id"),
        members(viewer=200, operator=200),
    ),
    "workspaces/<int:workspace_id>/workflows/<str:aac_id>/": Route(
        named("pages:workflow", "acme_id", "workflow_aac_id"),
        members(viewer=200, operator=200),
    ),
    "sync/status/": Route(
        lambda world: f"{reverse('pages:sync_status')}?workspace={world.acme_id}",
        members(viewer=200, operator=200),
    ),
    "workspaces/<int:workspace_id>/connections/": Route(
        named("pages:connections", "acme_id"), members(viewer=200, operator=200)
    ),
    # A pressed test's progress, polled by the button's fragment.
    "connection-tasks/<int:task_id>/": Route(
        named("pages:connection_task", "task_id"), members(viewer=200, operator=200)
    ),
}
BUTTONS = {
    # An empty form: back to the attention page saying the reason is needed.
    "attention/findings/<int:finding_id>/mute/": Route(
        named("pages:finding_mute", "finding_id"),
        Expect(LOGIN, 403, 404, "302 /attention/", "302 /attention/"),
        method="post",
    ),
    "attention/findings/<int:finding_id>/unmute/": Route(
        named("pages:finding_unmute", "finding_id"),
        Expect(LOGIN, 403, 404, "302 /attention/", "302 /attention/"),
        method="post",
    ),
    "sync/": Route(
        named("pages:sync_all"), Expect(LOGIN, 403, 403, 200, 200), method="post"
    ),
    "workspaces/<int:workspace_id>/sync/": Route(
        named("pages:workspace_sync", "acme_id"),
        members(viewer=403, operator=200),
        method="post",
    ),
    # An empty form: the page again, with what to paste (400).
    "workspaces/<int:workspace_id>/connections/connect/": Route(
        named("pages:connect", "acme_id"),
        Expect(LOGIN, 403, 404, 400, 400),
        method="post",
    ),
    "connections/<int:connection_id>/test/": Route(
        named("pages:connection_test", "connection_id"),
        members(viewer=403, operator=200),
        method="post",
    ),
    "connections/<int:connection_id>/refresh/": Route(
        named("pages:connection_refresh", "connection_id"),
        members(viewer=403, operator=200),
        method="post",
    ),
    # Whoever added a connection removes it here (nobody in the world did):
    # others ask a superuser, or use the admin.
    "connections/<int:connection_id>/remove/": Route(
        named("pages:connection_remove", "connection_id"),
        Expect(LOGIN, 403, 404, 403, "302 /workspaces/{acme_id}/connections/"),
        method="post",
    ),
    # An empty form: the confirmation again, saying what is missing (400).
    "changes/": Route(
        named("pages:change_create"), Expect(LOGIN, 403, 403, 400, 400), method="post"
    ),
    "windows/create/": Route(
        named("pages:window_create"), Expect(LOGIN, 403, 403, 400, 400), method="post"
    ),
    # Both answer with the window's page, saying what was done or why not.
    "windows/<int:window_id>/cancel/": Route(
        named("pages:window_cancel", "window_id"),
        Expect(LOGIN, 403, 404, "302 /windows/", "302 /windows/"),
        method="post",
    ),
    "windows/<int:window_id>/end/": Route(
        named("pages:window_end", "window_id"),
        Expect(LOGIN, 403, 404, "302 /windows/", "302 /windows/"),
        method="post",
    ),
}
# The API tokens page: everyone manages their own tokens.
API_PAGES = {
    "api/tokens/": Route(named("api:tokens"), everyone(200)),
    # Carol's token: she revokes it; nobody else finds it.
    "api/tokens/<int:token_id>/revoke/": Route(
        named("api:token_revoke", "token_id"),
        Expect(LOGIN, "302 /api/tokens/", 404, 404, 404),
        method="post",
    ),
    "api/docs/": Route(named("api:docs"), everyone(200)),
}


def api_read(*, viewer=200, non_member=200) -> ApiExpect:
    """A read: 401 without a usable token, else what the user may see."""
    return ApiExpect(401, 401, 401, 200, viewer, non_member, 200, 200)


def api_act(*, non_member=404, ok=202) -> ApiExpect:
    """An action: refused to read-only tokens and viewers (403), 404 outside
    the user's workspaces."""
    return ApiExpect(401, 401, 401, 403, 403, non_member, ok, ok)


API = {
    "api/v1/workspaces/": Route(named("api:workspaces"), api_read()),
    "api/v1/workspaces/<int:workspace_id>/": Route(
        named("api:workspace", "acme_id"), api_read(non_member=404)
    ),
    "api/v1/workspaces/<int:workspace_id>/sync/": Route(
        named("api:workspace_sync", "acme_id"), api_act(), method="post"
    ),
    "api/v1/workspaces/<int:workspace_id>/schedules/<int:aac_id>/": Route(
        named("api:schedule", "acme_id", "schedule_aac_id"), api_read(non_member=404)
    ),
    "api/v1/sync/": Route(
        named("api:sync_all"),
        api_act(non_member=403),
        method="post",
        data={"confirm": True},
    ),
    "api/v1/sync-runs/": Route(named("api:sync_runs"), api_read()),
    "api/v1/sync-runs/<int:run_id>/": Route(
        named("api:sync_run", "sync_run_id"), api_read(non_member=404)
    ),
    "api/v1/schedules/": Route(named("api:schedules"), api_read()),
    "api/v1/plans/": Route(named("api:plans"), api_read()),
    "api/v1/flows/": Route(named("api:flows"), api_read()),
    "api/v1/workflows/": Route(named("api:workflows"), api_read()),
    "api/v1/runs/": Route(named("api:runs"), api_read()),
    "api/v1/connections/<int:connection_id>/refresh/": Route(
        named("api:connection_refresh", "connection_id"), api_act(), method="post"
    ),
    "api/v1/connection-tasks/<int:task_id>/": Route(
        named("api:connection_task", "task_id"), api_read(non_member=404)
    ),
    # Run now, enable and disable, windows: the action pages' services.
    "api/v1/workspaces/<int:workspace_id>/<str:kind>/<str:aac_id>/run/": Route(
        lambda world: reverse(
            "api:run_now", args=[world.acme_id, "plans", world.plan_aac_id]
        ),
        api_act(),
        method="post",
        data={"confirm": True},
    ),
    "api/v1/run-requests/<int:run_id>/": Route(
        named("api:run_request", "run_id"), api_read(non_member=404)
    ),
    "api/v1/changes/": Route(
        named("api:changes"),
        api_act(non_member=403),
        method="post",
        data={"action": "disable", "filter": {}, "reason": "r", "confirm": True},
    ),
    "api/v1/changes/<int:change_id>/": Route(
        named("api:change", "change_id"), api_read(non_member=404)
    ),
    "api/v1/windows/": Route(named("api:windows"), api_read()),
    "api/v1/windows/<int:window_id>/": Route(
        named("api:window", "window_id"), api_read(non_member=404)
    ),
    # A window not started yet: cancelled; ending it early is refused (409).
    "api/v1/windows/<int:window_id>/cancel/": Route(
        named("api:window_cancel", "window_id"), api_act(ok=200), method="post"
    ),
    "api/v1/windows/<int:window_id>/end/": Route(
        named("api:window_end", "window_id"), api_act(ok=409), method="post"
    ),
    "api/v1/findings/": Route(named("api:findings"), api_read()),
    "api/v1/activity/": Route(named("api:activity"), api_read()),
    "api/schema/": Route(named("api:schema"), api_read()),
    # Anything else under /api/: a JSON 404, whoever asks.
    "api/^(?P<rest>.*)$": Route(path("/api/v2/nothing/"), ApiExpect(*[404] * 8)),
}
ACCOUNTS = {
    "accounts/login/": Route(named("login"), everyone(200, anonymous=200)),
    "accounts/logout/": Route(
        named("logout"),
        everyone("302 /accounts/login/", anonymous="302 /accounts/login/"),
        method="post",
    ),
    "accounts/preferences/": Route(named("preferences"), everyone(200)),
    # The digest's signed link works without a login (carol's, here).
    "accounts/unsubscribe/<str:token>/": Route(
        named("digest_unsubscribe", "unsubscribe_token"), everyone(200, anonymous=200)
    ),
    # The guided first visit is off here, as in production unless switched on
    # (AAC_FIRST_VISIT_TOUR; tests/accounts/test_tour.py).
    "accounts/tour/dismiss/": Route(
        named("dismiss_tour"), everyone(404), method="post"
    ),
    "accounts/password_change/": Route(named("password_change"), everyone(200)),
    "accounts/password_change/done/": Route(
        named("password_change_done"), everyone(200)
    ),
    # Resetting a forgotten password needs no login, and e-mail: without
    # EMAIL_URL (as here) it is off (tests/accounts/test_password_reset.py).
    "accounts/password_reset/": Route(
        named("password_reset"), everyone(404, anonymous=404)
    ),
    "accounts/password_reset/done/": Route(
        named("password_reset_done"), everyone(404, anonymous=404)
    ),
    "accounts/reset/<uidb64>/<token>/": Route(
        path("/accounts/reset/MQ/not-a-token/"), everyone(404, anonymous=404)
    ),
    "accounts/reset/done/": Route(
        named("password_reset_complete"), everyone(404, anonymous=404)
    ),
}
HEALTH = {
    "health/": Route(named("health"), everyone(200)),
    # For load balancers: no login, and it tells nothing but up or down.
    "health/live/": Route(named("health_live"), everyone(200, anonymous=200)),
    # Prometheus' bearer token (AAC_METRICS_TOKEN), not a login: no session
    # opens it, and without the token everyone gets 401
    # (tests/attention/test_metrics.py sends it).
    "metrics": Route(named("metrics"), everyone(401, anonymous=401)),
}
ADMIN_SITE = {
    "admin/": Route(named("admin:index"), staff(200, anonymous=ADMIN_LOGIN)),
    "admin/login/": Route(
        named("admin:login"),
        Expect(200, ADMIN_INDEX, ADMIN_INDEX, ADMIN_INDEX, ADMIN_INDEX),
    ),
    "admin/logout/": Route(
        named("admin:logout"),
        everyone("302 /accounts/login/", anonymous=ADMIN_LOGIN),
        method="post",
    ),
    "admin/password_change/": Route(
        named("admin:password_change"), staff(200, anonymous=ADMIN_LOGIN)
    ),
    "admin/password_change/done/": Route(
        named("admin:password_change_done"), staff(200, anonymous=ADMIN_LOGIN)
    ),
    "admin/jsi18n/": Route(named("admin:jsi18n"), staff(200, anonymous=ADMIN_LOGIN)),
    # Looking up users to add a member needs permission to view users.
    "admin/autocomplete/": Route(
        named(
            "admin:autocomplete",
            query="?app_label=workspaces&model_name=membership&field_name=user",
        ),
        staff(403, anonymous=ADMIN_LOGIN),
    ),
    # "View on site" redirects to the workspace's page, which says who may see it.
    "admin/r/<path:content_type_id>/<path:object_id>/": Route(
        lambda world: f"/admin/r/{world.workspace_type_id}/{world.acme_id}/",
        staff(
            "302 http://testserver/workspaces/{acme_id}/",
            superuser="302 http://testserver/workspaces/{acme_id}/",
            anonymous=ADMIN_LOGIN,
        ),
    ),
    "admin/^(?P<app_label>auth|axes|activity|workspaces|schedules|accounts|api)/$": (
        Route(path("/admin/workspaces/"), staff(200, anonymous=ADMIN_LOGIN))
    ),
    "admin/(?P<url>.*)$": Route(
        path("/admin/nowhere/"), Expect(ADMIN_LOGIN, 404, 404, 404, 404)
    ),
    "admin/auth/user/<id>/password/": Route(
        lambda world: f"/admin/auth/user/{world.carol_id}/password/",
        staff(403),
    ),
}


def admin_model(
    label: str,
    *,
    changelist: Expect,
    add: Expect,
    change: Expect,
    delete: Expect,
    history: Expect | None = None,
) -> dict[str, Route]:
    """The six admin URLs of a model; the object ones open the world's row of it."""
    app, model = label.split(".")
    base = f"admin/{app}/{model}/"

    def at(suffix: str) -> Callable:
        return lambda world: f"/{base}{world.objects[label]}/{suffix}"

    # The bare object URL is the admin's old form: it redirects to "change".
    to_change = f"302 /{base}{{object}}/change/"
    return {
        base: Route(path(f"/{base}"), changelist),
        f"{base}add/": Route(path(f"/{base}add/"), add),
        f"{base}<path:object_id>/change/": Route(at("change/"), change, model=label),
        f"{base}<path:object_id>/delete/": Route(at("delete/"), delete, model=label),
        f"{base}<path:object_id>/history/": Route(
            at("history/"), history or change, model=label
        ),
        f"{base}<path:object_id>/": Route(
            at(""), Expect(LOGIN, *[to_change] * 4), model=label
        ),
    }


# Nobody but the superuser manages people, groups, lockouts, preferences or
# API tokens (each user manages their own on the tokens page).
SUPERUSER_ONLY = {
    label: admin_model(
        label,
        changelist=staff(403),
        add=staff(403),
        change=staff(403),
        delete=staff(403),
    )
    for label in ("auth.user", "auth.group", "accounts.profile")
}
# API tokens are made by their owners alone: the admin lists and revokes.
SUPERUSER_ONLY["api.apitoken"] = admin_model(
    "api.apitoken",
    changelist=staff(403),
    add=staff(403, superuser=403),
    change=staff(403),
    delete=staff(403),
)
# The activity log: written by the portal alone, read by superusers in the admin.
ACTIVITY = admin_model(
    "activity.entry",
    changelist=staff(403),
    add=staff(403, superuser=403),
    change=staff(403),
    delete=staff(403, superuser=403),
)
# django-axes' records of logins are written by axes alone: no one adds them.
AXES = {
    label: admin_model(
        label,
        changelist=staff(403),
        add=staff(403, superuser=403),
        change=staff(403),
        delete=staff(403),
    )
    for label in ("axes.accessattempt", "axes.accesslog", "axes.accessfailurelog")
}
SCOPED_MODELS = {
    # Staff operate workspaces they are operators of; only a superuser adds or
    # deletes one.
    "workspaces.workspace": admin_model(
        "workspaces.workspace",
        changelist=staff(200),
        add=staff(403),
        change=scoped(viewer=200, operator=200),
        delete=scoped(viewer=403, non_member=403, operator=403),
    ),
    # Operators add connections in the portal ("Connect my AAC account"); in
    # the admin, staff with the permission change those of their workspaces.
    "workspaces.connection": admin_model(
        "workspaces.connection",
        changelist=staff(200),
        add=staff(403),
        change=scoped(viewer=200, operator=200),
        delete=scoped(viewer=403, non_member=403, operator=403),
    ),
    # Tests and refreshes pressed: written by the tasks alone.
    "workspaces.connectiontask": admin_model(
        "workspaces.connectiontask",
        changelist=staff(200),
        add=staff(403, superuser=403),
        change=scoped(viewer=200, operator=200),
        delete=scoped(viewer=403, non_member=403, operator=403, superuser=403),
    ),
    # Memberships decide who sees what: staff see those of their workspaces,
    # only a superuser changes them.
    "workspaces.membership": admin_model(
        "workspaces.membership",
        changelist=staff(200),
        add=staff(403),
        change=scoped(viewer=200, operator=200),
        delete=scoped(viewer=403, non_member=403, operator=403),
    ),
    # The cache is written by the sync alone: read-only, even for a superuser.
    "schedules.schedule": admin_model(
        "schedules.schedule",
        changelist=staff(200),
        add=staff(403, superuser=403),
        change=scoped(viewer=200, operator=200),
        delete=scoped(viewer=403, non_member=403, operator=403, superuser=403),
    ),
    "schedules.person": admin_model(
        "schedules.person",
        changelist=staff(200),
        add=staff(403, superuser=403),
        change=scoped(viewer=200, operator=200),
        delete=scoped(viewer=403, non_member=403, operator=403, superuser=403),
    ),
    **{
        label: admin_model(
            label,
            changelist=staff(200),
            add=staff(403, superuser=403),
            change=scoped(viewer=200, operator=200),
            delete=scoped(viewer=403, non_member=403, operator=403, superuser=403),
        )
        for label in (
            "schedules.syncrun",
            "schedules.plan",
            "schedules.flow",
            "schedules.workflow",
            "schedules.run",
        )
    },
}
# The workspace change page's buttons: operators press them and are sent back
# to the page, which shows what they queued.
BACK_TO_WORKSPACE = "302 /admin/workspaces/workspace/{acme_id}/change/"
ADMIN_BUTTONS = {
    f"admin/workspaces/workspace/<path:object_id>/{name}/": Route(
        lambda world, name=name: f"/admin/workspaces/workspace/{world.acme_id}/{name}/",
        scoped(viewer=403, operator=BACK_TO_WORKSPACE, superuser=BACK_TO_WORKSPACE),
        method="post",
    )
    for name in ("test", "refresh", "resync")
}
ADMIN_MODELS = {
    route: entry
    for routes in (
        *SUPERUSER_ONLY.values(),
        *AXES.values(),
        *SCOPED_MODELS.values(),
        ACTIVITY,
    )
    for route, entry in routes.items()
}

PORTAL = {
    **PAGES,
    **BUTTONS,
    **API_PAGES,
    **ACCOUNTS,
    **HEALTH,
    **ADMIN_SITE,
    **ADMIN_MODELS,
    **ADMIN_BUTTONS,
}
TABLE = {**PORTAL, **API}


def url_patterns(patterns=None, prefix: str = ""):
    """Every route of the URLconf, with the prefixes of the includes above it."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_every_url_has_an_entry():
    routes = set(url_patterns())
    assert routes - TABLE.keys() == set(), "give each new URL an entry in TABLE"
    assert TABLE.keys() - routes == set(), "an entry for a URL that is gone"


@pytest.fixture
def world(db, settings):
    settings.AAC_METRICS_TOKEN = "metrics-token-for-tests"
    acme = make_workspace("Acme EU")
    people = make_people(acme)
    for name in ("bob", "carol", "charlie"):
        person = people[name]
        person.is_staff = True
        person.save()
        person.user_permissions.set(Permission.objects.filter(codename__in=STAFF_PERMS))
    carol = people["carol"]
    connection = acme.connections.get()
    task = ConnectionTask.objects.create(
        connection=connection, action="test", status="succeeded"
    )
    WorkerHeartbeat.objects.create(hostname="w@tests", last_seen=timezone.now())
    objects = {
        "auth.user": carol.pk,
        "auth.group": Group.objects.create(name="Portal users").pk,
        "accounts.profile": Profile.objects.create(user=carol, timezone="UTC").pk,
        "api.apitoken": make_token(carol, name="in the admin")[0].pk,
        "axes.accessattempt": AccessAttempt.objects.create(
            username="x", ip_address="10.0.0.1", failures_since_start=1
        ).pk,
        "axes.accesslog": AccessLog.objects.create(
            username="x", ip_address="10.0.0.1"
        ).pk,
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="x", ip_address="10.0.0.1"
        ).pk,
        "activity.entry": record(
            Action.RESYNC, outcome=Outcome.QUEUED, user=carol, workspace=acme
        ).pk,
        "workspaces.workspace": acme.pk,
        "workspaces.connection": connection.pk,
        "workspaces.connectiontask": task.pk,
        "workspaces.membership": Membership.objects.get(user=carol).pk,
        "schedules.person": make_person(acme, 146301).pk,
        "schedules.schedule": make_schedule(acme).pk,
        "schedules.syncrun": make_run(acme, status=SyncRun.Status.SUCCEEDED).pk,
    }
    schedule = Schedule.objects.get(pk=objects["schedules.schedule"])
    bob, yesterday = people["bob"], timezone.now() - timedelta(days=1)
    secrets = {
        "expired": make_token(bob, expires_at=yesterday)[1],
        "revoked": make_token(bob, revoked=True)[1],
        "read_only": make_token(bob, read_only=True)[1],
        "viewer": make_token(carol)[1],
        "non_member": make_token(people["charlie"])[1],
        "operator": make_token(bob)[1],
        "superuser": make_token(people["alice"])[1],
    }
    plan = make_asset(Plan, acme, 1_500_001)
    change = BulkChange.objects.create(action="disable", reason="r", chosen="c")
    change.items.create(
        workspace=acme, workspace_name=acme.name, schedule_aac_id=schedule.aac_id
    )
    window = Window.objects.create(
        reason="r",
        chosen="c",
        starts_at=timezone.now() + timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=2),
    )
    window.items.create(
        workspace=acme, workspace_name=acme.name, schedule_aac_id=schedule.aac_id
    )
    run = RunRequest.objects.create(
        workspace=acme,
        execution_id="aacportal-test",
        asset_kind="plan",
        asset_aac_id=str(plan.aac_id),
        status="complete",
    )
    aac_run = make_aac_run(
        acme, asset=plan, status="Failed", schedule_aac_id=schedule.aac_id
    )
    flow = make_asset(Flow, acme, 1_700_001)
    workflow = make_asset(Workflow, acme, "01HZX3Q4W5E6R7T8Y9U0I1O2P3")
    objects |= {
        "schedules.plan": plan.pk,
        "schedules.flow": flow.pk,
        "schedules.workflow": workflow.pk,
        "schedules.run": aac_run.pk,
    }
    now = timezone.now()
    finding = Finding.objects.create(
        workspace=acme,
        rule="owner_disabled",
        severity="warning",
        subject_kind="schedule",
        subject_id=str(schedule.aac_id),
        message="Enabled, but its owner is disabled in AAC.",
        since=now,
        opened_at=now,
        seen_at=now,
    )
    return SimpleNamespace(
        finding_id=finding.pk,
        unsubscribe_token=unsubscribe_token(carol.pk),
        schedule_aac_id=schedule.aac_id,
        plan_aac_id=plan.aac_id,
        flow_aac_id=flow.aac_id,
        workflow_aac_id=workflow.aac_id,
        acme_id=acme.pk,
        change_id=change.pk,
        window_id=window.pk,
        run_id=run.pk,
        connection_id=connection.pk,
        task_id=task.pk,
        carol_id=carol.pk,
        token_id=make_token(carol)[0].pk,
        sync_run_id=objects["schedules.syncrun"],
        secrets=secrets,
        workspace_type_id=ContentType.objects.get_for_model(Workspace).pk,
        objects=objects,
        users={
            "anonymous": None,
            "viewer": carol,
            "non_member": people["charlie"],
            "operator": people["bob"],
            "superuser": people["alice"],
        },
    )


def answer(client, route: Route, url: str) -> int | str:
    response = getattr(client, route.method)(url, HTTP_HX_REQUEST="true")
    if response.status_code == 302:
        return f"302 {response['Location']}"
    return response.status_code


def matches(
    expected: int | str, got: int | str, route: Route, world: SimpleNamespace
) -> bool:
    if isinstance(expected, int):
        return got == expected
    expected = expected.format(
        acme_id=world.acme_id, object=world.objects.get(route.model, "")
    )
    return isinstance(got, str) and got.startswith(expected)


@pytest.mark.parametrize("route", sorted(PORTAL), ids=lambda route: route or "/")
def test_each_user_gets_the_answer_the_table_gives(client, world, route):
    entry = PORTAL[route]
    url = entry.url(world)
    answers, wrong = {}, {}
    for role in ROLES:
        with transaction.atomic():
            client.logout()
            if world.users[role] is not None:
                client.force_login(world.users[role])
            answers[role] = answer(client, entry, url)
            transaction.set_rollback(True)
        expected = getattr(entry.expect, role)
        if not matches(expected, answers[role], entry, world):
            wrong[role] = (expected, answers[role])
    assert wrong == {}, f"{entry.method.upper()} {url}: {answers}"


@pytest.mark.parametrize("route", sorted(API))
def test_each_api_token_gets_the_answer_the_table_gives(world, route):
    entry = API[route]
    url = entry.url(world)
    answers, wrong = {}, {}
    for role in API_ROLES:
        with transaction.atomic():
            client = api_client(world.secrets.get(role))
            call = getattr(client, entry.method)
            response = call(url, entry.data, content_type="application/json")
            answers[role] = response.status_code
            transaction.set_rollback(True)
        if answers[role] != getattr(entry.expect, role):
            wrong[role] = (getattr(entry.expect, role), answers[role])
    assert wrong == {}, f"{entry.method.upper()} {url}: {answers}"
