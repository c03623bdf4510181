"""`ReactionFeedback`: a thumbs up or down on one of the bot's replies becomes its rating.

A channel that has reactions (Slack's :+1: and :-1:) hands the inbox a neutral
`channels.base.Reaction`; here it is matched to the stored reply by the id the
channel returned when it sent it, and stored as a ``thumb`` rating by the
reacting person (``slack:U123``). Taking the reaction back removes the rating.
Reactions on anything that is not a stored reply of the bot change nothing.
"""

from __future__ import annotations

import logging

from channels.base import Reaction
from memory.feedback import FeedbackStore

log = logging.getLogger(__name__)

#: The rating kind a reaction stores: a person's opinion of the reply.
REACTION_KIND = "thumb"


class ReactionFeedback:
    """Stores and removes the ratings reactions give."""

    def __init__(self, feedback: FeedbackStore) -> None:
        self.feedback = feedback

    async def record(self, reaction: Reaction) -> bool:
        """Rate (or un-rate) the reply ``reaction`` is on; False if it is not a bot reply."""
        if reaction.rating not in (1, -1):
            raise ValueError(f"a reaction rates +1 or -1, not {reaction.rating!r}")
        message_id = await self.feedback.reply_for_sent(
            reaction.channel, reaction.sent_id, container=reaction.container
        )
        if message_id is None:
            log.debug(
                "%s reaction on %s: not a reply of the bot", reaction.channel, reaction.sent_id
            )
            return False
        rater = str(reaction.rater)
        if reaction.removed:
            # Only the value taken back goes: 👍 then 👎 then removing 👍 keeps the 👎.
            await self.feedback.remove(
                message_id, rater=rater, kind=REACTION_KIND, rating=reaction.rating
            )
        else:
            await self.feedback.rate(
                message_id, rater=rater, rating=reaction.rating, kind=REACTION_KIND
            )
        log.info(
            "reply %s %s %+d by a %s reaction",
            message_id,
            "lost its" if reaction.removed else "rated",
            reaction.rating,
            reaction.channel,
        )
        return True
