"""Customer care: the agent (`agent.CustomerCareAgent`) and its reading of messages.

What must go to a person (`escalation`: refunds, cancellations, complaints) and
changes to a booking (`booking_changes`: new date, time or guest count).
"""
