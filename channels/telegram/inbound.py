"""Translating Telegram updates into `IncomingMessage`s (aiogram handlers).

The same handlers serve the webhook and polling. They only hand messages to
the `Inbox` (which stores them and answers in the background) and link a
shared phone number; the few short answers the channel gives itself (a
contact confirmation, "I can only read text", a button press's answer) go out
as `Followups`, off the webhook's path.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove, Update, User

from channels.base import Address, Inbox, IncomingMessage
from channels.telegram.outbound import TelegramChannel
from channels.telegram.render import decode_callback
from channels.text import parse_command

log = logging.getLogger(__name__)

CHANNEL = "telegram"

#: ``/name``, ``/name@botname``, then arguments. Names are Telegram's (a-z, 0-9, _) plus
#: the dash our own commands use (/opt-out); in groups ``@botname`` says which bot is meant.

#: Kinds of message a person may send that the bot cannot read; they get `ONLY_TEXT`.
UNREADABLE = frozenset(
    {
        "animation",
        "audio",
        "document",
        "photo",
        "sticker",
        "video",
        "video_note",
        "voice",
        "location",
        "venue",
        "poll",
        "dice",
    }
)

#: Telegram's own limit on a message's text: a longer one is not Telegram's.
MAX_TEXT_LENGTH = 4096

ONLY_TEXT = "Sorry, I can only read text messages. Please type your question."
PHONE_LINKED = "Thanks! I'll recognise you by {phone}, here and by SMS."
NOT_YOUR_CONTACT = (
    "I can only link your own number. Please tap the button below the text field "
    "to share your phone number."
)
BAD_PHONE = "Sorry, I can't use that phone number."


def e164(phone: str) -> str:
    """A contact's ``phone_number`` in E.164: Telegram sends it with or without the ``+``."""
    digits = re.sub(r"\D", "", phone)
    if not 7 <= len(digits) <= 15:
        raise ValueError(f"not a phone number: {phone!r}")
    return "+" + digits


def sender(user: User) -> Address:
    """The channel identity of a Telegram user."""
    return Address(CHANNEL, str(user.id))


class Followups:
    """Short answers sent in the background, kept so shutdown can finish them."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, send: Awaitable[object], what: str) -> None:
        """Send in the background; a failure is logged, never raised."""

        async def run() -> None:
            try:
                await send
            except Exception:
                log.exception("Telegram: could not send %s", what)

        task = asyncio.create_task(run(), name=f"telegram {what}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self, seconds: float = 5.0) -> None:
        """Wait up to ``seconds`` for what is in flight, then cancel the rest."""
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(set(self._tasks), timeout=seconds)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


class TelegramInbound:
    """The aiogram handlers: text and commands, shared contacts, button presses."""

    def __init__(self, *, inbox: Inbox, channel: TelegramChannel) -> None:
        self.inbox = inbox
        self.channel = channel
        self.followups = Followups()

    def router(self) -> Router:
        """An aiogram `Router` with the handlers, for the bot's `Dispatcher`."""
        router = Router(name="telegram-inbound")
        router.message.register(self.on_contact, F.contact)
        router.message.register(self.on_text, F.text)
        # Only in private chats: in a group, a photo is usually not meant for the bot.
        router.message.register(
            self.on_unreadable, F.content_type.in_(UNREADABLE), F.chat.type == "private"
        )
        router.callback_query.register(self.on_callback, F.data)
        return router

    async def on_text(self, message: Message, event_update: Update) -> None:
        """Text: a ``/command`` or a message for the orchestrator."""
        user, text = message.from_user, message.text or ""
        if user is None or user.is_bot:  # channel posts, anonymous admins, other bots
            return
        if len(text) > MAX_TEXT_LENGTH:
            log.warning("Telegram: dropped a text of %d characters (over Telegram's)", len(text))
            return
        command = parse_command(text)
        await self.inbox.deliver(
            IncomingMessage(
                channel=CHANNEL,
                sender=sender(user),
                conversation_key=str(message.chat.id),
                text=text,
                # The message's own id, not update_id: a re-sent update carries the same
                # message, but update_id restarts at random after a week without updates,
                # so keyed on it a new message could be taken for an old one.
                external_id=f"{message.chat.id}:{message.message_id}",
                sender_name=user.full_name,
                command=command[0] if command else None,
                arguments=command[1] if command else "",
                extras={
                    "update_id": event_update.update_id,
                    "message_id": message.message_id,
                    "chat_type": message.chat.type,
                },
            )
        )

    async def on_contact(self, message: Message) -> None:
        """A shared contact: link the sender to their phone if it is their own."""
        user, contact = message.from_user, message.contact
        if user is None or contact is None:
            return
        chat_id = message.chat.id
        # A forwarded or picked contact is someone else's number: never link it to the sender.
        if contact.user_id != user.id:
            log.info("Telegram: refused a contact that is not the sender's own")
            self.followups.submit(self.channel.send_text(chat_id, NOT_YOUR_CONTACT), "refusal")
            return
        try:
            phone = e164(contact.phone_number)
            await self.inbox.link(sender(user), Address("phone", phone))
        except ValueError as exc:  # the store could not normalise it either
            log.info("Telegram: shared phone number not usable: %s", exc)
            self.followups.submit(self.channel.send_text(chat_id, BAD_PHONE), "refusal")
            return
        confirmation = self.channel.send_text(
            chat_id, PHONE_LINKED.format(phone=phone), markup=ReplyKeyboardRemove()
        )
        self.followups.submit(confirmation, "contact confirmation")

    async def on_unreadable(self, message: Message) -> None:
        """A photo, sticker, voice note...: say that only text is read."""
        self.followups.submit(self.channel.send_text(message.chat.id, ONLY_TEXT), "only-text")

    async def on_callback(self, query: CallbackQuery, event_update: Update) -> None:
        """A button press: the card action as a command, ``value`` as its arguments."""
        # Telegram shows a spinner on the button until the query is answered.
        self.followups.submit(
            self.channel.call(lambda: self.channel.bot.answer_callback_query(query.id)),
            "callback answer",
        )
        action_id, value = decode_callback(query.data or "")
        if not action_id:
            return
        chat = query.message.chat.id if query.message else query.from_user.id
        await self.inbox.deliver(
            IncomingMessage(
                channel=CHANNEL,
                sender=sender(query.from_user),
                conversation_key=str(chat),
                text=f"/{action_id} {value}".strip(),
                external_id=f"callback:{query.id}",  # unique per press, unlike update_id
                sender_name=query.from_user.full_name,
                command=action_id,
                arguments=value,
                extras={"callback_query_id": query.id, "update_id": event_update.update_id},
            )
        )

    async def aclose(self) -> None:
        """Finish the follow-ups in flight."""
        await self.followups.aclose()
