"""Workspace identity: which workspace a token belongs to, on either host."""

from aac.parse import fields
from aac.transport import Answer, Transport

_WORKSPACE = {"id": int, "name": str, "gid": str, "state": str}


class WorkspaceCalls(Transport):
    def current_workspace(self) -> dict:
        """`GET /v4/workspaces/current` (docs/aac-api.md, Workspace identity)."""
        return _workspace(self._get("/v4/workspaces/current"))

    def current_workspace_via_gateway(self, project_id: str) -> dict:
        """`GET /iam/v1/workspaces/current` on the gateway (docs/aac-api.md, Hosts).

        The gateway also checks the API project id, so this tests that value.
        """
        answer = self._get(
            "/iam/v1/workspaces/current",
            headers={"x-api-project-id": project_id},
            base_url=self.endpoints.gateway_url,
        )
        return _workspace(answer)


def _workspace(answer: Answer) -> dict:
    return fields(answer, answer.doc, _WORKSPACE)
