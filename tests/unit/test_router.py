import pytest

from agents.routing.keywords import KeywordRouter


@pytest.fixture
def router() -> KeywordRouter:
    return KeywordRouter()


@pytest.mark.parametrize(
    ("text", "agent"),
    [
        ("What would a dinner for 30 guests cost?", "lead_nurturing"),
        ("Please cancel my reservation, I want a refund", "customer_care"),
        ("Is the seafood menu gluten free?", "knowledge"),
        ("Who is on shift at the Friday event?", "operations"),
    ],
)
async def test_routes_by_topic_and_says_why(router: KeywordRouter, text: str, agent: str):
    route = await router.route(text, channel="sms")

    assert route.agent == agent
    assert route.reason.startswith("matched ")
    assert 0 < route.confidence < 1


async def test_no_topic_goes_to_the_default_agent(router: KeywordRouter):
    route = await router.route("hello there", channel="sms")
    assert (route.agent, route.confidence) == ("knowledge", 0.3)


async def test_no_topic_stays_with_the_current_agent(router: KeywordRouter):
    route = await router.route("ok, sounds good", channel="sms", current_agent="lead_nurturing")
    assert route.agent == "lead_nurturing"


async def test_a_clear_new_topic_leaves_the_current_agent(router: KeywordRouter):
    route = await router.route(
        "I was charged twice, I want a refund", channel="sms", current_agent="lead_nurturing"
    )
    assert route.agent == "customer_care"


async def test_team_channel_leans_to_operations(router: KeywordRouter):
    route = await router.route("how are we doing this week", channel="slack")
    assert route.agent == "operations"
    assert "team channel slack" in route.reason
