"""SQLAlchemy models: every table of the bot, importable from ``memory.models``.

The same models run on SQLite (aiosqlite) and PostgreSQL (asyncpg). Schema
changes go through Alembic migrations in `memory/migrations`. One module per
concern: `contacts` (people, identities, conversations, messages), `calls`
(model calls, paid sends, tutor pairs, alerts), `compare`, `knowledge` and
`leads` (reply ratings, bookings, follow-ups), `web` (the web chat's stream,
rate limits and phone codes). Importing this package
registers them all on `Base.metadata`, which Alembic and the tests compare
against the migrations.
"""

from memory.models.base import Base, BigId, utcnow
from memory.models.calls import Alert, ModelCall, SendCost, TutorPair
from memory.models.compare import CompareAnswer, CompareFeedback, CompareQuery
from memory.models.contacts import Contact, Conversation, Identity, InboundLimitHit, Message
from memory.models.knowledge import KnowledgeChunk, KnowledgeDocument
from memory.models.leads import Booking, FollowUp, ReplyFeedback
from memory.models.web import WebAdmission, WebEvent, WebVerification

__all__ = [
    "Alert",
    "Base",
    "BigId",
    "Booking",
    "CompareAnswer",
    "CompareFeedback",
    "CompareQuery",
    "Contact",
    "Conversation",
    "FollowUp",
    "Identity",
    "InboundLimitHit",
    "KnowledgeChunk",
    "KnowledgeDocument",
    "Message",
    "ModelCall",
    "ReplyFeedback",
    "SendCost",
    "TutorPair",
    "WebAdmission",
    "WebEvent",
    "WebVerification",
    "utcnow",
]
