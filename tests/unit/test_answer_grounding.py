"""Coverage, extractive answers, claim checks and repeats: code decides the facts."""

from agents.knowledge.amounts import amounts
from agents.knowledge.claims import unsupported
from agents.knowledge.coverage import uncovered
from agents.knowledge.extractive import extractive_answer, introduction, narrowed
from agents.knowledge.retriever import Hit
from agents.knowledge.terms import terms
from agents.replies import near_repeat

SPACE = (
    "Space: a flat outdoor area about 10 by 10 feet; "
    "we do not cook indoors because of the open flame."
)
UPGRADES = "Premium upgrades per guest: filet mignon +$10, lobster tail +$15, scallops +$8."
WEATHER = (
    "Weather: we cook in light rain under a canopy; "
    "in heavy rain or high wind we reschedule for free."
)


def hit(text: str, title: str = "Frequently asked questions") -> Hit:
    return Hit(1, "faq.md", title, text, 3.0, title)


def test_every_currency_is_an_amount():
    assert {int(a) for a in amounts("£47, €9, 12 euros, USD 30 and $1,800")} == {
        47,
        9,
        12,
        30,
        1800,
    }


def test_a_topic_no_document_mentions_is_uncovered():
    known = set(terms(f"{SPACE} {UPGRADES} {WEATHER} events"))
    assert uncovered("Do you do events in Sacramento?", known.__contains__) == ["sacramento"]
    # Other words for what the documents say are covered: garage/indoors, thunderstorm/rain.
    assert (
        uncovered("Can you set up the grill in our garage?", (known | {"grill"}).__contains__) == []
    )
    assert uncovered("What if there's a thunderstorm?", known.__contains__) == []


def test_the_extractive_answer_quotes_the_statement_that_answers():
    answer = extractive_answer("How much room does the chef need?", [hit(WEATHER), hit(SPACE)])
    assert answer is not None and "10 by 10 feet" in answer
    policy = extractive_answer("What if it storms?", [hit(WEATHER, "Policies")])
    assert policy == "Our weather policy: " + WEATHER.removeprefix("Weather: ")


def test_a_follow_up_gets_only_the_clause_it_asks_about():
    assert (
        narrowed("and what does lobster cost?", [hit(UPGRADES, "Pricing")]) == "lobster tail +$15."
    )


def test_unsupported_claims_are_named():
    sources = [SPACE]
    assert (
        unsupported("You need about 10 by 10 feet of flat outdoor space.", sources, "room?") == []
    )
    assert unsupported("You need 15 feet.", sources, "How much room?") == ["quantity 15 ft"]
    assert unsupported("That is £47.", sources, "price?") == ["amount 47"]
    assert "yes/no answer" in unsupported("Yes, we do events there.", sources, "Do you go to Napa?")
    assert unsupported("We offer a full refund anytime.", sources, "refund?")[0].startswith(
        "policy"
    )


def test_near_repeats_are_caught_and_different_answers_are_not():
    earlier = [
        "You're looking for a party in your backyard, that's perfect. What type of celebration?"
    ]
    assert near_repeat(
        "You're looking for a party in your backyard, that's perfect! What type of celebration?",
        earlier,
    )
    assert not near_repeat("Our weather policy: we reschedule for free in heavy rain.", earlier)


def test_the_introduction_is_the_business_description_read_on_from_its_name():
    summary = "A hibachi catering company in the Bay Area. A chef brings the grill."
    assert introduction("Ember & Knife", summary) == (
        "We're Ember & Knife, a hibachi catering company in the Bay Area. A chef brings the grill."
    )
    assert introduction("Acme", "Catering since 1990.") == "We're Acme. Catering since 1990."
