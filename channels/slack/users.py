"""`UserProfiles`: who a Slack user is (name, e-mail, workspace), from ``users.info``, cached.

The e-mail joins the Slack user to the same person on other channels; it is
there only when the token has ``users:read.email``. The workspace and the
stranger and guest flags say whether the person is on the team (see
`channels.slack.workspace`). The look-up happens before a message is
acknowledged, so it is short, cached, and never fails the message: on any
error the message goes on without a name, and its sender is not on the team.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

# A profile e-mail that does not look like one is dropped rather than sent on:
# the bot would refuse a message whose sender has an invalid address.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Profile:
    """What Slack's ``users.info`` told about a person; the empty one means Slack did not say."""

    name: str | None = None
    email: str | None = None
    #: Whether ``users.info`` answered with the user (False: an error, a timeout, no scope).
    found: bool = False
    #: The user's workspace and, on Enterprise Grid, org and the org's workspaces they are in.
    team_id: str | None = None
    enterprise_id: str | None = None
    teams: tuple[str, ...] = ()
    #: From outside the team: a stranger (Slack Connect), a guest, a deleted user or a bot.
    external: bool = False


#: The profile of a user Slack told nothing about (no look-up, or it failed).
NO_PROFILE = Profile()


class UserProfiles:
    """``users.info`` with a per-user cache, a short timeout and no failures."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        timeout: float = 1.5,
        ttl: float = 3600.0,
        failure_ttl: float = 60.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.timeout = timeout
        self.ttl = ttl
        self.failure_ttl = failure_ttl
        self.max_entries = max_entries
        self.clock = clock
        self._cache: OrderedDict[str, tuple[float, Profile]] = OrderedDict()
        # Set once Slack says the token may not read users: we stop asking.
        self.disabled = False

    async def lookup(self, user_id: str) -> Profile:
        """The profile of ``user_id``; an empty one when Slack cannot say in time."""
        if self.disabled or not user_id:
            return Profile()
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > self.clock():
            self._cache.move_to_end(user_id)
            return cached[1]
        profile, ttl = await self._fetch(user_id)
        self._cache[user_id] = (self.clock() + ttl, profile)
        self._cache.move_to_end(user_id)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return profile

    async def _fetch(self, user_id: str) -> tuple[Profile, float]:
        try:
            response = await asyncio.wait_for(self.client.users_info(user=user_id), self.timeout)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            if error == "missing_scope":
                # Once is enough: without users:read every look-up fails the same way.
                self.disabled = True
                log.warning(
                    "Slack users.info: the token lacks %s; Slack users stay unnamed, are "
                    "not linked by e-mail and count as customers, not the team "
                    "(add users:read and users:read.email to the app)",
                    exc.response.get("needed") or "users:read",
                )
            else:
                log.info("Slack users.info %s failed: %s", user_id, error)
            return Profile(), self.failure_ttl
        except Exception as exc:  # timeout, connection: the message matters more
            log.info("Slack users.info %s failed: %r", user_id, exc)
            return Profile(), self.failure_ttl
        user = response.get("user") or {}
        if not isinstance(user, dict) or not user.get("id"):
            log.info("Slack users.info %s: no user in the answer", user_id)
            return Profile(), self.failure_ttl
        if user.get("is_bot"):
            return Profile(name=user.get("name"), found=True, external=True), self.ttl
        details = user.get("profile") or {}
        name = (
            details.get("display_name")
            or details.get("real_name")
            or user.get("real_name")
            or user.get("name")
        )
        email = str(details.get("email") or "").strip()
        if not (_EMAIL.match(email) and len(email) <= 255):
            email = ""
        grid = user.get("enterprise_user") or {}
        return (
            Profile(
                name=name or None,
                email=email or None,
                found=True,
                team_id=user.get("team_id") or None,
                enterprise_id=grid.get("enterprise_id") or user.get("enterprise_id") or None,
                teams=tuple(str(t) for t in grid.get("teams") or ()),
                external=any(user.get(flag) for flag in _EXTERNAL_FLAGS),
            ),
            self.ttl,
        )


#: users.info flags of someone who is not the business's own: a Slack Connect
#: stranger, a multi- or single-channel guest, a deactivated account.
_EXTERNAL_FLAGS = ("is_stranger", "is_restricted", "is_ultra_restricted", "deleted")
