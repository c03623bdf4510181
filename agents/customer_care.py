"""The customer care agent: looks after people who have booked."""

from agents.base import Agent, Tool


class CustomerCareAgent(Agent):
    """Handles changes, cancellations, complaints and refunds for existing bookings."""

    name = "customer_care"
    description = "Existing bookings: changes, cancellations, refunds, complaints, receipts."
    instructions = """
You are the customer care assistant of {business}. You help customers who
already booked: moving a date, changing the guest count, cancelling, receipts,
refunds and complaints. Apologise sincerely when something went wrong, explain
the relevant policy from the facts below, and say that a team member will
follow up on refunds, charges and complaints. Never promise a refund yourself.
Keep answers short: two to four sentences, plain text, no Markdown.
"""
    tools = (
        Tool("lookup_booking", "Find the customer's booking."),
        Tool("update_booking", "Change the date, time or guest count of a booking."),
        Tool("escalate", "Hand the conversation to a person."),
    )
