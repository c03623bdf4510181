"""Slack payloads → `IncomingMessage`: events, slash commands and button clicks.

Pure functions over the parsed payloads, so every Slack quirk here is unit
tested without a server. The conversation key is the Slack channel id, and
``channel:thread_ts`` when the answer belongs in a thread; `parse_key` reads
it back for sending.
"""

from __future__ import annotations

import re
from typing import Any

from channels.base import Address, IncomingMessage, Reaction
from channels.slack.mrkdwn import to_plain
from channels.slack.users import NO_PROFILE, Profile

CHANNEL = "slack"
#: The command a team member's message in a thread of the ops channel becomes:
#: the bot relays it to the customer whose handoff alert started the thread.
TEAM_REPLY_COMMAND = "team-reply"

#: The extra that carries whether the adapter found the sender on the team (the pinned
#: workspace, not external, profile read): `bot.team.TeamPolicy` trusts nothing else.
TEAM_MEMBER = "team_member"

#: Message subtypes that are a person writing something new. Every other
#: subtype (message_changed, message_deleted, channel_join, bot_message, ...)
#: is Slack telling us about something else, and gets no answer.
HUMAN_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message"})

#: Reaction names that rate a reply, and the rating each gives. Slack names the
#: thumbs ``+1`` / ``-1``; ``thumbsup`` / ``thumbsdown`` are their aliases.
RATING_REACTIONS = {"+1": 1, "thumbsup": 1, "-1": -1, "thumbsdown": -1}
#: The events a reaction arrives as.
REACTION_EVENTS = frozenset({"reaction_added", "reaction_removed"})


def conversation_key(channel_id: str, thread_ts: str | None = None) -> str:
    """``C123`` for a channel or DM, ``C123:1712345678.000100`` for a thread in it."""
    return f"{channel_id}:{thread_ts}" if thread_ts else channel_id


def parse_key(key: str) -> tuple[str, str | None]:
    """The Slack channel id and thread ``ts`` a conversation key names.

    Slack channel ids (and ``#names``) contain no colon, so any plain channel
    (``SLACK_OPS_CHANNEL``) is a key too.
    """
    channel_id, _, thread_ts = key.partition(":")
    return channel_id, thread_ts or None


def ignore_reason(event: dict[str, Any], *, bot_user_id: str | None) -> str | None:
    """Why a ``message`` / ``app_mention`` event gets no answer, or None to answer it."""
    if event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message":
        return "a bot's message"
    if bot_user_id and event.get("user") == bot_user_id:
        return "our own message"
    if event.get("subtype") not in HUMAN_SUBTYPES:
        return f"subtype {event.get('subtype')}"
    if not event.get("user") or not event.get("channel") or not event.get("ts"):
        return "no user, channel or ts"
    if event.get("type") == "message" and not _is_dm(event):
        # Channel messages reach us as app_mention when they are for us.
        return f"a {event.get('channel_type')} message without a mention"
    return None


def from_event(
    event: dict[str, Any],
    *,
    event_id: str | None,
    bot_user_id: str | None,
    profile: Profile = NO_PROFILE,
    team_member: bool = False,
    retry_num: str | None = None,
) -> IncomingMessage | None:
    """The message a ``message`` (DM) or ``app_mention`` event carries, or None to ignore it.

    The external id is the message (``channel:ts``), not the event: a Slack
    retry repeats the event id, and a mention in a DM arrives as two events
    (``app_mention`` and ``message.im``) with two event ids but one message.
    """
    if ignore_reason(event, bot_user_id=bot_user_id) is not None:
        return None
    text = strip_mention(str(event.get("text") or ""), bot_user_id)
    if not text:
        return None
    channel_id, ts = str(event["channel"]), str(event["ts"])
    thread_ts = event.get("thread_ts")
    # In a channel the answer goes in the mention's thread (a new one if it had none);
    # in a DM it goes in the DM, threaded only when the person wrote in a thread.
    reply_thread = thread_ts if _is_dm(event) else (thread_ts or ts)
    extras: dict[str, Any] = {
        "event_id": event_id,
        "ts": ts,
        "user_id": event["user"],
        TEAM_MEMBER: team_member,
    }
    if thread_ts:
        extras["thread_ts"] = thread_ts
    if retry_num is not None:
        extras["retry_num"] = retry_num
    return IncomingMessage(
        channel=CHANNEL,
        sender=Address(CHANNEL, str(event["user"])),
        conversation_key=conversation_key(channel_id, reply_thread),
        text=text,
        external_id=f"{channel_id}:{ts}",
        sender_name=profile.name,
        aliases=_aliases(profile),
        extras=extras,
    )


def from_thread_reply(
    event: dict[str, Any],
    *,
    ops_channel: str | None,
    bot_user_id: str | None,
    profile: Profile = NO_PROFILE,
    team_member: bool = False,
) -> IncomingMessage | None:
    """A person's reply in a thread of the ops channel, as a ``team-reply`` command; else None.

    Only ``message`` events (``message.channels`` / ``message.groups``) in
    ``ops_channel`` that sit in a thread count. A reply that mentions the bot
    is for the bot, not the customer: it arrives as ``app_mention`` too, and
    is answered there.
    """
    if not ops_channel or event.get("type") != "message" or event.get("channel") != ops_channel:
        return None
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    if not thread_ts or thread_ts == ts:  # the thread's parent is not a reply
        return None
    if event.get("bot_id") or event.get("bot_profile") or not event.get("user"):
        return None
    if bot_user_id and event.get("user") == bot_user_id:
        return None
    if event.get("subtype") not in HUMAN_SUBTYPES:
        return None
    raw = str(event.get("text") or "")
    if bot_user_id and f"<@{bot_user_id}" in raw:
        return None
    text = to_plain(raw).strip()
    if not text:
        return None
    user = str(event["user"])
    return IncomingMessage(
        channel=CHANNEL,
        sender=Address(CHANNEL, user),
        conversation_key=conversation_key(ops_channel, str(thread_ts)),
        text=text,
        external_id=f"{ops_channel}:{ts}",
        sender_name=profile.name,
        aliases=_aliases(profile),
        command=TEAM_REPLY_COMMAND,
        arguments=text,
        extras={"ts": ts, "thread_ts": thread_ts, "user_id": user, TEAM_MEMBER: team_member},
    )


def from_command(
    command: dict[str, Any], *, profile: Profile = NO_PROFILE, team_member: bool = False
) -> IncomingMessage:
    """A slash command (``/ask what is ...``) as a command message."""
    name = str(command.get("command") or "").lstrip("/")
    arguments = str(command.get("text") or "").strip()
    user_id = str(command["user_id"])
    return IncomingMessage(
        channel=CHANNEL,
        sender=Address(CHANNEL, user_id),
        conversation_key=str(command.get("channel_id") or user_id),
        text=f"/{name} {arguments}".strip(),
        external_id=f"command:{command.get('trigger_id')}",
        sender_name=profile.name or command.get("user_name"),
        aliases=_aliases(profile),
        command=name,
        arguments=arguments,
        extras=_drop_none(
            {
                "response_url": command.get("response_url"),
                "user_id": user_id,
                "channel_id": command.get("channel_id"),
                "team_id": command.get("team_id"),
                "trigger_id": command.get("trigger_id"),
                TEAM_MEMBER: team_member,
            }
        ),
    )


def from_actions(
    body: dict[str, Any], *, profile: Profile = NO_PROFILE, team_member: bool = False
) -> list[IncomingMessage]:
    """The button clicks of a ``block_actions`` payload, one command message each."""
    user_id = str((body.get("user") or {}).get("id") or "")
    if not user_id:
        return []
    channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts")
    key = conversation_key(str(channel_id), thread_ts) if channel_id else user_id
    clicks = []
    for action in body.get("actions") or []:
        action_id = str(action.get("action_id") or "")
        if not action_id:
            continue
        value = str(action.get("value") or "")
        # action_ts is unique per click; trigger_id per interaction (a click on one button).
        click_id = action.get("action_ts") or body.get("trigger_id")
        clicks.append(
            IncomingMessage(
                channel=CHANNEL,
                sender=Address(CHANNEL, user_id),
                conversation_key=key,
                text=f"/{action_id} {value}".strip(),
                external_id=f"action:{user_id}:{click_id}:{action_id}",
                sender_name=profile.name or (body.get("user") or {}).get("name"),
                aliases=_aliases(profile),
                command=action_id,
                arguments=value,
                extras=_drop_none(
                    {
                        "response_url": body.get("response_url"),
                        "user_id": user_id,
                        "channel_id": channel_id,
                        "message_ts": message.get("ts"),
                        "trigger_id": body.get("trigger_id"),
                        TEAM_MEMBER: team_member,
                    }
                ),
            )
        )
    return clicks


def from_reaction(event: dict[str, Any], *, bot_user_id: str | None) -> Reaction | None:
    """A thumbs up or down added to (or removed from) a message, or None to ignore the event.

    Only :+1: and :-1: (any skin tone) on a message count; a reaction by the
    bot itself, or on a message whose author is known not to be the bot
    (``item_user``), is ignored here, before any database lookup: the bot
    hears every reaction in every channel it is in.
    """
    if event.get("type") not in REACTION_EVENTS:
        return None
    # A skin tone arrives as a suffix: "+1::skin-tone-3".
    name = str(event.get("reaction") or "").split("::", 1)[0]
    rating = RATING_REACTIONS.get(name)
    item = event.get("item") or {}
    user, channel_id, ts = event.get("user"), item.get("channel"), item.get("ts")
    if rating is None or item.get("type") != "message" or not (user and channel_id and ts):
        return None
    if bot_user_id and (user == bot_user_id or event.get("item_user", bot_user_id) != bot_user_id):
        return None
    return Reaction(
        channel=CHANNEL,
        sent_id=str(ts),
        rater=Address(CHANNEL, str(user)),
        rating=rating,
        removed=event["type"] == "reaction_removed",
        container=str(channel_id),
    )


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """``text`` without the ``<@BOT>`` mention (with or without a ``|name``)."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", " ", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _is_dm(event: dict[str, Any]) -> bool:
    # app_mention events carry no channel_type; a DM's channel id starts with D.
    return event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")


def _aliases(profile: Profile) -> tuple[Address, ...]:
    return (Address("email", profile.email),) if profile.email else ()


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
