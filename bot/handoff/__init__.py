"""Handing a conversation to a person, and asking first when the route is unsure.

- `desk`: `HandoffDesk`, which holds a conversation for the team and hands it back.
- `clarify`: answer, ask one clarifying question, or hand to a person.
- `command`: the team's chat commands for handoffs.
"""
