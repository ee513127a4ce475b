"""Token pairs as AAC's UI hands them out, refreshes, and who a token is.

The `Simulator`'s token methods over `aacsim.tokens`: a pair for any person of
a workspace (one AAC user's pair, docs/aac-api.md, Tokens), every pair made
kept for `/_sim/credentials` with its person, and the access token's claims
in the JWT alphabet chosen.
"""

import copy

from aacsim.tokens import TokenPair, decode_jwt, encode_jwt
from aacsim.workspace import Caller, SimWorkspace

_SCOPES = ("openid", "profile", "email", "offline_access")


class TokensMixin:
    """Part of `Simulator`: uses its `lock`, `clock`, `issuer`, `jwt_alphabet`,
    `access_token_lifetime`, `refresh_grace_seconds`,
    `revoke_family_on_reuse`, `stats`, `_secret`, `_refresh_tokens`,
    `_credentials`, `_workspaces` and `workspace()`."""

    def new_token_pair(
        self,
        workspace_id: int,
        *,
        person_id: int | None = None,
        refresh_token_lifetime_days: int = 365,
    ) -> TokenPair:
        """A fresh pair, as AAC's "Generate token" dialog makes one.

        By default for the workspace's first person, an admin. A disabled
        person cannot log in to make one.
        """
        workspace = self.workspace(workspace_id)
        person = workspace.person(person_id or workspace.people[0]["id"])
        if person is None:
            raise LookupError(f"no person {person_id} in workspace {workspace_id}")
        if person["isDisabled"]:
            raise ValueError(f"person {person['id']} is disabled")
        refresh_token = self._refresh_tokens.issue(
            workspace_id=workspace.id,
            person_id=person["id"],
            client_id=workspace.client_id,
            expires_at=self.clock() + refresh_token_lifetime_days * 86400,
        )
        pair = TokenPair(
            access_token=self._access_token(workspace, person["id"]),
            refresh_token=refresh_token,
            client_id=workspace.client_id,
            expires_in=self.access_token_lifetime,
        )
        with self.lock:
            self._credentials.append(
                {
                    "workspace": {
                        "id": workspace.id,
                        "gid": workspace.gid,
                        "name": workspace.name,
                        "client_id": workspace.client_id,
                        "project_id": workspace.project_id,
                        "list_scope": workspace.list_scope,
                    },
                    "person": {k: person[k] for k in ("id", "email", "name")},
                    "access_token": pair.access_token,
                    "refresh_token": pair.refresh_token,
                    "expires_in": pair.expires_in,
                }
            )
        return pair

    def credentials(self) -> list[dict]:
        """Every pair `new_token_pair` handed out, as first issued."""
        with self.lock:
            return copy.deepcopy(self._credentials)

    def refresh(self, refresh_token: str, *, client_id: str) -> TokenPair:
        """Rotate a refresh token; raises `InvalidGrant` when it is spent."""
        record, successor = self._refresh_tokens.rotate(
            refresh_token,
            client_id=client_id,
            now=self.clock(),
            grace_seconds=self.refresh_grace_seconds,
            revoke_family_on_reuse=self.revoke_family_on_reuse,
        )
        workspace = self.workspace(record.workspace_id)
        self.stats.count_refresh(workspace.id)
        return TokenPair(
            access_token=self._access_token(workspace, record.person_id),
            refresh_token=successor,
            client_id=workspace.client_id,
            expires_in=self.access_token_lifetime,
        )

    def refresh_token_workspace(self, refresh_token: str) -> int | None:
        return self._refresh_tokens.workspace_of(refresh_token)

    def _access_token(self, workspace: SimWorkspace, person_id: int) -> str:
        if self.issuer is None:
            raise RuntimeError(
                "the simulator has no issuer yet: serve() or mount() it first, "
                "or pass Simulator(issuer=...)"
            )
        now = int(self.clock())
        claims = {
            "iss": self.issuer,
            "sub": str(person_id),
            "client_id": workspace.client_id,
            "scope": [*_SCOPES, f"w:{workspace.gid}"],
            "iat": now,
            "exp": now + self.access_token_lifetime,
        }
        urlsafe = self.jwt_alphabet == "urlsafe"
        return encode_jwt(claims, self._secret, urlsafe_chars=urlsafe)

    def authenticate(self, access_token: str) -> Caller | None:
        """Who the token speaks for, or None if it is unknown or expired."""
        claims = decode_jwt(access_token, self._secret)
        if not claims or not claims.get("exp", 0) > self.clock():
            return None
        gids = {s[2:] for s in claims.get("scope", ()) if s.startswith("w:")}
        with self.lock:
            workspace = next(
                (ws for ws in self._workspaces.values() if ws.gid in gids), None
            )
        if workspace is None:
            return None
        return Caller(workspace=workspace, person_id=int(claims["sub"]))
