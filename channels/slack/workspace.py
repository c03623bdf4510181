"""`WorkspacePin`: the one Slack workspace (or Enterprise Grid org) the bot serves.

A valid signature only proves the request came from Slack for *this app*; an
app installed in several workspaces, or reached from a Slack Connect channel,
gets signed requests from people who are not the business's team. So every
request is checked against the pinned ids (`refusal`), and a person counts as
the team only when Slack's ``users.info`` says they belong to the pinned
workspace and are neither external nor a guest (`WorkspacePin.admits`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from channels.slack.users import Profile

log = logging.getLogger(__name__)

#: Seconds between two ``auth.test`` attempts while the workspace is not known.
LEARN_RETRY_SECONDS = 10.0
#: Seconds one ``auth.test`` may take.
LEARN_TIMEOUT = 5.0

#: Requests Slack sends without any workspace: the Events API URL handshake and
#: the slash-command certificate check. bolt answers both without running a listener.
_HANDSHAKES = frozenset({"url_verification"})


@dataclass(frozen=True, slots=True)
class WorkspacePin:
    """The ids a request must carry: ``SLACK_TEAM_ID``, ``SLACK_ENTERPRISE_ID``, ``SLACK_APP_ID``.

    With a team id, every team id in a request must be it; with an enterprise
    id (Enterprise Grid), every enterprise id must be it, and an org-wide
    install may leave the team id out. The app id is checked where Slack sends
    ``api_app_id``.
    """

    team_id: str | None = None
    enterprise_id: str | None = None
    app_id: str | None = None

    @property
    def pinned(self) -> bool:
        """Whether a workspace or an org is known (without one, nothing is accepted)."""
        return bool(self.team_id or self.enterprise_id)

    @classmethod
    def from_auth_test(cls, answer: dict[str, Any], *, app_id: str | None = None) -> WorkspacePin:
        """The workspace the bot token was installed in, as ``auth.test`` tells it."""
        enterprise = answer.get("enterprise_id") or None
        team = None if answer.get("is_enterprise_install") else answer.get("team_id") or None
        return cls(team_id=team, enterprise_id=enterprise, app_id=app_id)

    def refusal(self, payload: dict[str, Any]) -> str | None:
        """Why a (signed, parsed) request is not for this workspace, or None to accept it."""
        if payload.get("type") in _HANDSHAKES or payload.get("ssl_check") == "1":
            return None
        if not self.pinned:
            return "the Slack workspace is not known"
        teams = set(_ids(payload, _TEAM_PLACES)) - {""}
        enterprises = set(_ids(payload, _ENTERPRISE_PLACES)) - {""}
        apps = set(_ids(payload, _APP_PLACES)) - {""}
        if self.team_id:
            # An org-wide token's requests may name the org where a workspace would be.
            allowed = {self.team_id, self.enterprise_id} - {None}
            if not teams and not (self.enterprise_id and enterprises):
                return "no Slack workspace in the request"
            if teams - allowed:
                return "another Slack workspace"
        if self.enterprise_id:
            if not enterprises and not (self.team_id and teams):
                return "no Enterprise Grid org in the request"
            if enterprises - {self.enterprise_id}:
                return "another Enterprise Grid org"
        if self.app_id and apps - {self.app_id}:
            return "another Slack app"
        return None

    def admits(self, profile: Profile, *, user_team: str | None = None) -> bool:
        """Whether the person ``profile`` describes is on the team: fail closed.

        Not on the team: a profile Slack did not give (an error, a timeout, no
        ``users:read``), a stranger or guest (``is_stranger``,
        ``is_restricted``, ``is_ultra_restricted``), a deleted user or a bot,
        and anyone whose workspace is not the pinned one. ``user_team`` is the
        ``user_team`` an event names (Slack Connect): it must agree too.
        """
        if not self.pinned or not profile.found or profile.external:
            return False
        if user_team and user_team not in {self.team_id, self.enterprise_id}:
            return False
        if self.enterprise_id and profile.enterprise_id != self.enterprise_id:
            return False
        if self.team_id:
            return profile.team_id == self.team_id or self.team_id in profile.teams
        return True


class PinnedWorkspace:
    """The pin of a running adapter: from the settings, or from ``auth.test`` once.

    Without ``SLACK_TEAM_ID`` / ``SLACK_ENTERPRISE_ID`` the workspace is the one
    the bot token was installed in, which ``auth.test`` tells; until it has
    answered, nothing from Slack is accepted and nobody is on the team.
    """

    def __init__(
        self,
        configured: WorkspacePin,
        client: AsyncWebClient,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.clock = clock
        self._pin = configured if configured.pinned else None
        self._app_id = configured.app_id
        self._lock = asyncio.Lock()
        self._failed_at: float | None = None

    @property
    def known(self) -> WorkspacePin | None:
        """The pin, or None while it is not known."""
        return self._pin

    async def get(self) -> WorkspacePin | None:
        """The pin, asking ``auth.test`` first if needed (at most every 10 s); None: unknown."""
        if self._pin is not None:
            return self._pin
        async with self._lock:
            if self._pin is not None:
                return self._pin
            if self._failed_at is not None and self.clock() - self._failed_at < LEARN_RETRY_SECONDS:
                return None
            try:
                answer = await asyncio.wait_for(self.client.auth_test(), LEARN_TIMEOUT)
                data = answer.data if isinstance(answer.data, dict) else {}
                pin = WorkspacePin.from_auth_test(data, app_id=self._app_id)
            except Exception as exc:  # an error, a timeout: refuse until Slack answers
                self._failed_at = self.clock()
                log.error(
                    "Slack auth.test failed (%r): the workspace is not known, so Slack "
                    "requests are refused; set SLACK_TEAM_ID or check SLACK_BOT_TOKEN",
                    exc,
                )
                return None
            if not pin.pinned:
                self._failed_at = self.clock()
                log.error("Slack auth.test named no workspace: Slack requests are refused")
                return None
            self._pin = pin
            log.warning(
                "SLACK_TEAM_ID is not set: pinned to the bot token's workspace %s%s "
                "(from auth.test); set SLACK_TEAM_ID to pin it explicitly",
                pin.team_id or "-",
                f", Enterprise Grid org {pin.enterprise_id}" if pin.enterprise_id else "",
            )
            return pin

    async def refusal(self, payload: dict[str, Any]) -> tuple[int, str] | None:
        """The status and error for a request not to serve, or None to serve it.

        403 for another workspace, org or app (or none named); 503 while our own
        workspace is not known (``auth.test`` failed): Slack sends it again later.
        """
        pin = await self.get()
        reason = (pin or WorkspacePin()).refusal(payload)
        if reason is None:
            return None
        if pin is None:
            return 503, "the Slack workspace is not known yet (auth.test failed)"
        log.warning(
            "Slack request refused: %s (team %r, enterprise %r, app %r)",
            reason,
            _text(next(_ids(payload, _TEAM_PLACES), None)),
            _text(next(_ids(payload, _ENTERPRISE_PLACES), None)),
            _text(next(_ids(payload, _APP_PLACES), None)),
        )
        return 403, f"request refused: {reason}"

    def admits(self, profile: Profile, *, user_team: Any = None) -> bool:
        """Whether ``profile`` is on the team of the pinned workspace; False while unknown."""
        pin = self._pin
        return pin is not None and pin.admits(profile, user_team=_text(user_team))


def _text(value: Any) -> str | None:
    """A Slack id as sent, or None; anything else (a number, an object) is no id."""
    return value[:40] if isinstance(value, str) and value else None


# Where each kind of request names its workspace, org and app (paths into the payload):
# events (`team_id`, `authorizations[]`), slash commands (`team_id`, `enterprise_id`),
# interactivity (`team.id`, `user.team_id`, `enterprise.id`) and views; every place
# bolt itself reads one (slack_bolt.request.internals), so bolt never sees a team we did not.
_TEAM_PLACES = (
    ("team_id",),
    ("team",),
    ("team", "id"),
    ("user", "team_id"),
    ("authorizations", "team_id"),
    ("view", "team_id"),
    ("view", "app_installed_team_id"),
)
_ENTERPRISE_PLACES = (
    ("enterprise_id",),
    ("enterprise",),
    ("enterprise", "id"),
    ("team", "enterprise_id"),
    ("user", "enterprise_id"),
    ("authorizations", "enterprise_id"),
)
_APP_PLACES = (("api_app_id",),)


def _ids(payload: dict[str, Any], places: tuple[tuple[str, ...], ...]) -> Iterator[str]:
    for path in places:
        yield from _values(payload, path)


def _values(node: Any, path: tuple[str, ...]) -> Iterator[str]:
    """The ids at ``path``, walking into lists on the way (``authorizations``)."""
    if not path:
        if isinstance(node, str):
            yield node
        elif node is not None and not (isinstance(node, dict) and "id" in node):
            # Not an id Slack sends (a number, a list): it never matches. An object with
            # an id (``team``) is read at its own place, ``team.id``.
            yield repr(node)
        return
    if isinstance(node, list):
        for item in node:
            yield from _values(item, path)
    elif isinstance(node, dict) and path[0] in node:
        yield from _values(node[path[0]], path[1:])
