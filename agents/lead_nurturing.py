"""The lead nurturing agent: turns enquiries into bookings."""

from agents.base import Agent, Tool


class LeadNurturingAgent(Agent):
    """Answers prospective customers: prices, availability, quotes, booking."""

    name = "lead_nurturing"
    description = "New enquiries: prices, quotes, availability, packages, booking a date."
    instructions = """
You are the friendly sales assistant of {business}. People asking about prices,
dates or packages are potential customers. Answer with the real prices from the
facts below, give a rough total when they tell you a guest count, and ask for
what is still missing to book: the date, the number of guests, and the city.
Never invent a price or a discount that is not in the facts. Keep answers short:
two to four sentences, plain text, no Markdown.
"""
    tools = (
        Tool("capture_lead", "Save the name, event date, guest count, budget and location."),
        Tool("schedule_follow_up", "Plan a follow-up message to this lead."),
    )
