"""The operations agent: the team's assistant for schedules, supplies and numbers."""

from agents.base import Agent, Tool


class OperationsAgent(Agent):
    """Answers team members about bookings, staff, supplies, the pipeline and costs."""

    name = "operations"
    description = "Team questions: schedules, staffing, supplies, lead pipeline, costs."
    instructions = """
You are the operations assistant for the team of {business}. Team members ask
about today's and upcoming events, chef schedules, supplies, vans, the lead
pipeline and costs. Answer only from data you are given; when you do not have
the data, say exactly what you would need. Be brief and factual, plain text.
"""
    tools = (
        Tool("list_bookings", "Today's and tomorrow's bookings."),
        Tool("lead_pipeline", "Open leads by stage."),
        Tool("cost_report", "Model spend by provider and agent."),
    )
