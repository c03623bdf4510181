"""The two statements that store an incoming message, built once per database.

Every incoming message creates or touches its conversation and inserts itself
(`memory.conversations.ConversationStore.record_incoming`). Building the statements
per call, with their ON CONFLICT clauses (the dialect's own), cost more CPU than
their round trips, so they are built once and run with parameters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam

from memory.db import Database
from memory.models import Conversation, Message

MESSAGES = Message.__table__
CONVERSATIONS = Conversation.__table__


def incoming_statements(db: Database) -> tuple[Any, Any]:
    """(touch the conversation, insert the message) for ``db``'s dialect.

    The first takes ``c_channel``, ``c_key``, ``c_contact`` and ``c_now`` and returns
    the conversation's id, agent and handoff time (the contact is rewritten too, for
    a conversation whose contact was merged). The second takes ``m_conversation``,
    ``m_contact``, ``m_channel``, ``m_external``, ``m_text``, ``m_now`` and ``m_meta``
    and returns the message's id, or nothing for a delivery stored before.
    """
    c = CONVERSATIONS.c
    touch = (
        db.upsert(
            CONVERSATIONS,
            index_elements=["channel", "key"],
            set_={
                "contact_id": bindparam("c_contact", type_=c.contact_id.type),
                "updated_at": bindparam("c_now", type_=c.updated_at.type),
            },
        )
        .values(
            channel=bindparam("c_channel"),
            key=bindparam("c_key"),
            contact_id=bindparam("c_contact"),
            created_at=bindparam("c_now"),
            updated_at=bindparam("c_now"),
        )
        .returning(c.id, c.agent, c.handed_off_at)
    )
    m = MESSAGES.c
    insert = (
        db.insert_ignoring_conflicts(MESSAGES)
        .values(
            conversation_id=bindparam("m_conversation"),
            contact_id=bindparam("m_contact"),
            channel=bindparam("m_channel"),
            external_id=bindparam("m_external"),
            direction="in",
            text=bindparam("m_text"),
            created_at=bindparam("m_now"),
            meta=bindparam("m_meta", type_=m.meta.type),
        )
        .returning(m.id)
    )
    return touch, insert
