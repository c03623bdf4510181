"""The example router on the sample business's routing.yml, lexical view only (fast).

The sentence-vector view (the embedded model) is in test_routing_embedded.py and
tests/e2e/test_route_cli.py.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from agents.routing import ExampleRouter, RoutingConfigError, RoutingExamples, build_router
from agents.routing.base import HUMAN_ROUTE
from agents.routing.continuations import looks_like_continuation, only_details
from agents.routing.keywords import KeywordRouter
from bot.settings import SAMPLE_BUSINESS_DIR

DATA = Path(__file__).resolve().parents[1] / "data"
AGENTS = {"lead_nurturing", "customer_care", "operations", "knowledge"}


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@pytest.fixture(scope="module")
def examples() -> RoutingExamples:
    return RoutingExamples.from_folder(SAMPLE_BUSINESS_DIR)


@pytest.fixture
def router(examples: RoutingExamples) -> ExampleRouter:
    return ExampleRouter(examples, embeddings=False)


EVALUATION_SETS = sorted(path.name for path in DATA.glob("intents-*.jsonl"))


@pytest.mark.parametrize("name", EVALUATION_SETS)
def test_no_evaluation_message_is_among_the_examples(examples: RoutingExamples, name: str):
    """The dev set and our unseen sets measure the router: none of their lines may teach it."""
    rows = [json.loads(line) for line in (DATA / name).read_text().splitlines() if line]
    taught = {_plain(text) for _, text in examples.pairs()}

    copied = [row["text"] for row in rows if _plain(row["text"]) in taught]

    assert len(rows) >= 38
    assert copied == []


def test_every_evaluation_set_is_checked():
    # The dev set and the fresh unseen set; the earlier sets are spent: their messages
    # are the sample business's labelled examples now (routing-labelled.jsonl).
    assert {"intents-dev.jsonl", "intents-unseen-9.jsonl"} <= set(EVALUATION_SETS)


def test_the_dev_set_copy_is_the_shared_one():
    shared = Path("/work/shared/data/intents-dev.jsonl")
    if not shared.is_file():
        pytest.skip("the shared dev set is not on this machine")
    assert (DATA / "intents-dev.jsonl").read_text() == shared.read_text()


def test_sample_examples_cover_every_agent_and_a_person(examples: RoutingExamples):
    assert set(examples.agents) == AGENTS | {HUMAN_ROUTE}
    assert all(len(texts) >= 30 for texts in examples.examples.values())
    assert examples.default_agent == "knowledge" and examples.team_channels == {"slack"}


def test_human_is_a_route_not_an_agent(router: ExampleRouter):
    assert set(router.agents) == AGENTS  # what the orchestrator checks against its agents


@pytest.mark.parametrize(
    "text",
    [
        "Can I please speak with a real human being",
        "I demand to talk to your manager, this is unacceptable",
        "My lawyer will be contacting you about this",
        "Manager!",  # one word, but one that asks for a person wherever the examples use it
    ],
)
async def test_a_person_is_needed(router: ExampleRouter, text: str):
    route = await router.route(text, channel="sms")
    assert route.agent == HUMAN_ROUTE
    assert route.confidence >= 0.45


@pytest.mark.parametrize(
    ("text", "agent"),
    [
        ("What would a dinner for 30 guests cost?", "lead_nurturing"),
        ("Please cancel my reservation, I want a refund", "customer_care"),
        ("Is the seafood menu gluten free?", "knowledge"),
        ("Who is on shift at the Friday event?", "operations"),
    ],
)
async def test_routes_by_topic_and_names_the_nearest_example(
    router: ExampleRouter, examples: RoutingExamples, text: str, agent: str
):
    route = await router.route(text, channel="sms")

    assert route.agent == agent
    nearest = re.match(r"lexical: nearest (['\"])(.*?)\1", route.reason)
    assert nearest and nearest.group(2) in examples.examples[agent]
    assert 0.45 <= route.confidence <= 1


@pytest.mark.parametrize(
    ("text", "current"),
    [
        ("yes", "lead_nurturing"),
        ("sounds good", "customer_care"),
        ("what about 40 people?", "lead_nurturing"),
        ("and on Sunday?", "lead_nurturing"),
        ("ok, and who else is on it?", "operations"),
        ("what about 40 people?", "customer_care"),
        ("great, what's the deposit?", "customer_care"),
        ("what about the vegan menu?", "knowledge"),
    ],
)
async def test_a_continuation_stays_with_the_current_agent(
    router: ExampleRouter, text: str, current: str
):
    alone = await router.route(text, channel="sms")
    route = await router.route(text, channel="sms", current_agent=current)

    assert route.agent == current
    assert route.confidence >= 0.6  # sure enough: no clarifying question after "yes"
    assert "continuation" in route.reason
    assert alone.confidence < route.confidence


@pytest.mark.parametrize(
    ("text", "current", "agent"),
    [
        ("I was charged twice on my card, I want my money back", "lead_nurturing", "customer_care"),
        ("Do you have vegan options on the menu?", "lead_nurturing", "knowledge"),
        ("How much would a party of 25 cost in August?", "knowledge", "lead_nurturing"),
        ("get me a real person right now", "customer_care", HUMAN_ROUTE),
        ("and can I get a refund?", "lead_nurturing", "customer_care"),
        ("also, is the food gluten free?", "lead_nurturing", "knowledge"),
        ("ok thanks, can I talk to a person?", "knowledge", HUMAN_ROUTE),
    ],
)
async def test_a_clear_change_of_topic_leaves_the_current_agent(
    router: ExampleRouter, text: str, current: str, agent: str
):
    route = await router.route(text, channel="sms", current_agent=current)
    assert route.agent == agent


def test_continuation_shapes():
    assert looks_like_continuation("yes please")
    assert looks_like_continuation("And what about Sunday instead?")
    assert not looks_like_continuation("Can you send me the receipt for my event on the 3rd?")
    # A short question pointing back at the topic stays with it (issue 16 item 7).
    assert looks_like_continuation("what would the total be?")
    assert looks_like_continuation("how much would that cost?")
    assert not looks_like_continuation("what would the total cost of a lobster wedding buffet be?")
    assert only_details("what about 40 people?") and only_details("Sounds good, Sunday then")
    assert not only_details("and can I get a refund?")


async def test_team_channel_leans_to_operations(router: ExampleRouter):
    text = "how are we doing on bookings this week"
    on_slack = await router.route(text, channel="slack")
    assert on_slack.agent == "operations"
    assert "team channel slack" in on_slack.reason


async def test_a_customer_is_not_routed_to_operations_on_a_borderline_message(
    router: ExampleRouter,
):
    # The operations agent only refuses a customer, so a customer leans away from it;
    # a team member on the API or the console (not a team channel of routing.yml)
    # leans neither way, and a stranger on Slack is a customer.
    text = "what sides come with the meal"
    customer = await router.route(text, channel="sms")
    assert customer.agent == "knowledge" and "a customer on sms" in customer.reason
    teammate = await router.route(text, channel="api", is_team=True)
    assert "customer" not in teammate.reason and "team channel" not in teammate.reason
    assert teammate.confidence != customer.confidence
    stranger = await router.route(text, channel="slack", is_team=False)
    assert "a customer on slack" in stranger.reason


@pytest.mark.parametrize("text", ["zorblax quintessa flumph", "Hello?"])
async def test_nothing_to_go_on_goes_to_the_default_or_current_agent(
    router: ExampleRouter, text: str
):
    fresh = await router.route(text, channel="sms")
    ongoing = await router.route(text, channel="sms", current_agent="customer_care")
    unknown = await router.route(text, channel="sms", current_agent="clarify")  # not an agent

    assert (fresh.agent, unknown.agent) == ("knowledge", "knowledge")
    assert max(fresh.confidence, unknown.confidence) <= 0.4
    assert "no word in common" in fresh.reason
    assert ongoing.agent == "customer_care"


@pytest.mark.parametrize("text", ["Now?", "Tell me", "Tell me about your dinner prices"])
async def test_no_person_on_a_weak_hunch(router: ExampleRouter, text: str):
    """A handoff silences the bot and calls the team: vague words never route to a person."""
    route = await router.route(text, channel="slack")
    assert route.agent != HUMAN_ROUTE
    if text == "Now?":  # shares only "now" with "get me a real person, now"
        assert route.confidence < 0.45


async def test_without_the_model_it_routes_by_words(examples: RoutingExamples):
    """An encoder that cannot load leaves the router lexical, not broken."""
    router = ExampleRouter(examples, embeddings=True, encoder=lambda: None, vectors_below=2.0)
    await router.prepare()
    route = await router.route("Which chefs are on the roster for Saturday?", channel="sms")
    assert route.agent == "operations" and route.reason.startswith("lexical: ")
    assert not router.uses_vectors


async def test_with_vectors_off_nothing_loads(router: ExampleRouter):
    await router.prepare()
    route = await router.route("Which chefs are on the roster for Saturday?", channel="sms")
    assert route.reason.startswith("lexical: ") and not router.uses_vectors


def test_a_business_without_routing_yml_gets_the_keyword_router(tmp_path: Path):
    shutil.copy(SAMPLE_BUSINESS_DIR / "business.yml", tmp_path)
    assert isinstance(build_router(tmp_path), KeywordRouter)
    assert isinstance(build_router(SAMPLE_BUSINESS_DIR, embeddings=False), ExampleRouter)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("agents: []\n", "'agents' must map"),
        ("agents:\n  knowledge: [menu]\n  sales: hello\n", "agents.sales must be a list"),
        ("agents:\n  knowledge: ['  ']\n", "agents.knowledge has no examples"),
        ("default_agent: sales\nagents:\n  knowledge: [menu]\n", "default_agent 'sales'"),
        ("agents: [unclosed\n", "cannot read"),
    ],
)
def test_a_bad_routing_file_says_what_is_wrong(tmp_path: Path, content: str, message: str):
    path = tmp_path / "routing.yml"
    path.write_text(content)
    with pytest.raises(RoutingConfigError, match=re.escape(message)):
        RoutingExamples.from_file(path)


def test_fingerprint_follows_the_examples(examples: RoutingExamples):
    changed = RoutingExamples({**examples.examples, "knowledge": ["menu"]})
    assert examples.fingerprint() == RoutingExamples(dict(examples.examples)).fingerprint()
    assert changed.fingerprint() != examples.fingerprint()


def _business(tmp_path: Path, labelled: str) -> Path:
    (tmp_path / "routing.yml").write_text(
        "agents:\n  knowledge: [what is on the menu]\n  human: [let me talk to a person]\n"
    )
    (tmp_path / "routing-labelled.jsonl").write_text(labelled)
    return tmp_path


def test_labelled_messages_are_examples_too(tmp_path: Path):
    folder = _business(
        tmp_path,
        '{"text": "do you have a kids menu", "agent": "knowledge", "channel": "sms"}\n\n'
        '{"text": "what is on the menu", "agent": "knowledge"}\n'
        '{"text": " get me your manager ", "agent": "human"}\n',
    )

    examples = RoutingExamples.from_folder(folder)

    assert examples is not None and examples.folder == folder
    assert examples.examples == {
        "knowledge": ["what is on the menu", "do you have a kids menu"],
        "human": ["let me talk to a person", "get me your manager"],
    }


@pytest.mark.parametrize(
    ("labelled", "message"),
    [
        ('{"text": "hi", "agent": "human"}\n\n{"text": "menu"\n', ":3: not JSON"),
        ('["menu", "knowledge"]\n', ":1: must be a JSON object"),
        ('{"text": "menu"}\n', ":1: needs a 'text' and an 'agent'"),
        ('{"text": "menu", "agent": "sales"}\n', ":1: agent 'sales' is not one of"),
    ],
)
def test_a_bad_labelled_line_says_where(tmp_path: Path, labelled: str, message: str):
    with pytest.raises(RoutingConfigError, match=re.escape(message)):
        RoutingExamples.from_folder(_business(tmp_path, labelled))


def test_the_sample_business_ships_its_examples_vectors(examples: RoutingExamples):
    """Edited routing.yml or routing-labelled.jsonl? Run `bot route --save-vectors`."""
    shipped = list((SAMPLE_BUSINESS_DIR / "routing-vectors").glob("*.npy"))
    assert [p.name.rsplit("-", 1)[1] for p in shipped] == [f"{examples.fingerprint()}.npy"]
    vectors = np.load(shipped[0])
    assert vectors.dtype == np.float16 and vectors.shape[0] == len(examples.pairs())
