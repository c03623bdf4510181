"""Terms, BM25 ranking, and telling a fact question from small talk."""

import pytest

from agents.knowledge.bm25 import BM25Index
from agents.knowledge.questions import asks_about_us, asks_for_fact
from agents.knowledge.terms import stem, terms


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (("guest", "guests"), True),
        (("cancel", "cancelled", "cancellation"), True),
        (("time", "timing"), True),
        (("arrive", "arrives", "arrived"), True),
        (("policy", "policies"), True),
        (("wind", "windy"), True),
        (("class", "glass"), False),
    ],
)
def test_word_forms_meet_on_one_term(words, same):
    assert (len({terms(w)[0] for w in words}) == 1) is same


def test_stop_words_and_numbers_are_dropped_and_prices_are_one_term():
    assert terms("How much for 20 guests?") == [stem("price"), "guest"]
    assert terms("Classic package: $60 per adult") == [
        stem("price"),
        "classic",
        "packag",
        "per",
        "guest",
    ]
    # "How much space" asks about space, not money; so does any noun after "how much".
    assert stem("price") not in terms("How much space does the grill need?")
    assert stem("price") not in terms("How much patio space do we need for the grill?")
    assert terms("how much?") == terms("how much is it") == [stem("price")]


def test_bm25_prefers_the_rare_word_and_the_shorter_passage():
    index = BM25Index(
        [
            terms("Deposit: $200 to reserve a date, taken off the final bill."),
            terms("Each guest picks two proteins; the guest count can change."),
            terms(
                "The deposit is refunded up to 7 days before the event, for any guest count "
                "and any package, on the card that paid it, within ten business days."
            ),
        ]
    )

    ranked = index.top(terms("what is the deposit"), 3)

    assert [i for i, _ in ranked] == [0, 2]  # passage 1 shares no term
    assert ranked[0][1] > ranked[1][1] > 0
    assert index.top(terms("sushi"), 3) == []
    assert BM25Index([]).top(["deposit"], 3) == []


@pytest.mark.parametrize(
    "text",
    [
        "How much is the deposit?",
        "what is your cancellation policy",
        "Do you serve Napa?",
        "Are your chefs insured?",
        "gluten free options",
        "When does the chef arrive?",
    ],
)
def test_questions_about_the_business_ask_for_facts(text):
    assert asks_for_fact(text)


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "ok thanks, and then?",
        "can you help me?",
        "What did I tell you about my party?",
        "My name is Dana, party of 12 in May",
        "tell me everything",
        "still there?",
    ],
)
def test_small_talk_and_questions_about_the_conversation_do_not(text):
    assert not asks_for_fact(text)


@pytest.mark.parametrize(
    ("text", "about_us"),
    [
        ("Tell me about you", True),
        ("hi! tell me a bit about yourselves", True),
        ("who are you?", True),
        ("What do you guys do?", True),
        ("tell me about your company", True),
        ("tell me about your prices", False),  # a topic: the documents answer
        ("what do you do if it rains?", False),
        ("Tell me about the chef", False),
    ],
)
def test_a_question_about_the_business_itself(text, about_us):
    assert asks_about_us(text) is about_us
