"""The "Refresh tokens" button of a workspace's page."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from pages.answers import button_answer
from workspaces import access
from workspaces.queueing import QueueUnavailable, queue_token_refresh


@require_POST
def workspace_refresh_tokens(request: HttpRequest, workspace_id: int) -> HttpResponse:
    workspace = access.operable_workspace_or_403(request.user, workspace_id)
    back = workspace.get_absolute_url()
    try:
        queue_token_refresh(workspace)
    except QueueUnavailable as exc:
        return button_answer(request, message=exc.message, back=back, status=503)
    return button_answer(
        request, message="Token refresh queued.", back=back, reload_later=True
    )
