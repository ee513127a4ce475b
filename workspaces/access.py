"""Who may see and who may operate a workspace: the only code that answers it.

A superuser sees and operates every workspace; anyone else sees the
workspaces they are a member of, and operates those where their membership's
role is "operator"; anonymous users see nothing. Pages, buttons, exports,
status polls and both apps' admins ask here (docs/reliability.md rule 10), so
a rule changes in one place. `scope` narrows the rows of any model with a
`workspace` foreign key (or a path to one), so this module needs to know no
app above it.
"""

from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from workspaces.models import Connection, Membership, Workspace

M = TypeVar("M", bound=Model)
User = AbstractBaseUser | AnonymousUser


def visible_workspaces(
    user: User, *, among: QuerySet[Workspace] | None = None
) -> QuerySet[Workspace]:
    """The workspaces (of `among`, default all) the user may see; tokens deferred."""
    among = Workspace.objects.all() if among is None else among
    return _narrow(among, user, field="pk", operable=False)


def operable_workspaces(
    user: User, *, among: QuerySet[Workspace] | None = None
) -> QuerySet[Workspace]:
    """The workspaces whose buttons and admin actions the user may use."""
    among = Workspace.objects.all() if among is None else among
    return _narrow(among, user, field="pk", operable=True)


def scope(
    queryset: QuerySet[M],
    user: User,
    *,
    operable: bool = False,
    workspace: str = "workspace",
) -> QuerySet[M]:
    """The rows of `queryset` the user may see, or operate with `operable`.

    `workspace` is the path to the rows' workspace ("workspace" for a model
    with a `workspace` foreign key, "connection__workspace" for a
    connection's rows). For a superuser the queryset comes back as it is: a
    filter that holds for every row would still cost each aggregate a join
    over all of them.
    """
    return _narrow(queryset, user, field=workspace, operable=operable)


def may_remove_connection(user: User, connection: Connection) -> bool:
    """A connection is removed in the portal by whoever added it (while they may
    operate its workspace), or by a superuser; in the admin by its operators."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return connection.added_by_id == user.pk and may_operate(user, connection.workspace)


def operable_ids(user: User) -> set[int]:
    return set(operable_workspaces(user).values_list("pk", flat=True))


def may_operate(user: User, workspace: Workspace) -> bool:
    return operable_workspaces(user).filter(pk=workspace.pk).exists()


def may_operate_any(user: User) -> bool:
    return operable_workspaces(user).exists()


def visible_workspace_or_404(user: User, workspace_id: int) -> Workspace:
    """The workspace, or Http404 when the user may not see it (or it is gone)."""
    workspace = visible_workspaces(user).filter(pk=workspace_id).first()
    if workspace is None:
        raise Http404("No such workspace")
    return workspace


def operable_workspace_or_403(user: User, workspace_id: int) -> Workspace:
    """404 outside the user's workspaces, 403 when they may only look."""
    workspace = visible_workspace_or_404(user, workspace_id)
    if not may_operate(user, workspace):
        raise PermissionDenied("Viewers cannot start syncs or refreshes")
    return workspace


def visible_connection_or_404(user: User, connection_id: int) -> Connection:
    """The connection (its workspace loaded), or Http404 outside the user's
    workspaces."""
    connections = scope(Connection.objects.select_related("workspace"), user)
    connection = connections.filter(pk=connection_id).first()
    if connection is None:
        raise Http404("No such connection")
    return connection


def operable_connection_or_403(user: User, connection_id: int) -> Connection:
    """404 outside the user's workspaces, 403 when they may only look."""
    connection = visible_connection_or_404(user, connection_id)
    if not may_operate(user, connection.workspace):
        raise PermissionDenied("Viewers cannot test or refresh connections")
    return connection


def split_operable(
    user: User, selected: QuerySet[Workspace]
) -> tuple[list[Workspace], list[Workspace]]:
    """The selected workspaces the user may operate, and those they may only view."""
    operable = operable_ids(user)
    workspaces = list(visible_workspaces(user, among=selected))
    return (
        [ws for ws in workspaces if ws.pk in operable],
        [ws for ws in workspaces if ws.pk not in operable],
    )


def _narrow(
    queryset: QuerySet[M], user: User, *, field: str, operable: bool
) -> QuerySet[M]:
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    memberships = Membership.objects.filter(user=user)
    if operable:
        memberships = memberships.filter(role=Membership.Role.OPERATOR)
    return queryset.filter(**{f"{field}__in": memberships.values("workspace")})
