from datetime import UTC, datetime

from agents.business import BusinessProfile
from agents.catalog import build_agents
from agents.request import AgentRequest
from agents.routing.keywords import KeywordRouter
from bot.settings import SAMPLE_BUSINESS_DIR
from memory.history import HistoryEntry

BUSINESS = BusinessProfile.from_folder(SAMPLE_BUSINESS_DIR)


def entry(direction: str, text: str, channel: str = "sms") -> HistoryEntry:
    return HistoryEntry(direction, text, channel, None, datetime.now(UTC))


def test_four_agents_every_router_choice_exists():
    agents = build_agents(BUSINESS)

    assert set(agents) == {"lead_nurturing", "customer_care", "operations", "knowledge"}
    assert set(KeywordRouter().agents) <= set(agents)
    assert all(a.description and a.instructions for a in agents.values())


def test_prompt_has_role_business_relevant_facts_history_and_message():
    agent = build_agents(BUSINESS)["lead_nurturing"]
    request = AgentRequest(
        text="What is the deposit to reserve a date?",
        channel="sms",
        history=[entry("in", "Hi, party of 12"), entry("out", "Happy to help!", "telegram")],
        contact_name="Dana",
    )
    messages = agent.build_messages(request)

    system = messages[0].content
    assert messages[0].role == "system"
    assert "Ember & Knife Hibachi Catering" in system
    assert "Deposit: $200 to reserve a date" in system
    assert "peanut oil" not in system  # irrelevant facts stay out of a small model's way
    assert "You are talking with Dana." in system
    assert [(m.role, m.content) for m in messages[1:]] == [
        ("user", "Hi, party of 12"),
        ("assistant", "Happy to help!"),
        ("user", "What is the deposit to reserve a date?"),
    ]


def test_history_is_cut_to_the_character_budget_keeping_the_newest():
    agent = build_agents(BUSINESS, history_chars=25)["knowledge"]
    history = [entry("in", f"message number {i}") for i in range(10)]  # 16-17 chars each
    messages = agent.build_messages(AgentRequest(text="now", channel="sms", history=history))

    assert [m.content for m in messages[1:]] == ["message number 9", "now"]
