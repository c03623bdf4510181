"""Chunking the business's documents into passages an answer can cite."""

from agents.knowledge.chunking import Chunk, chunk_document, title_of
from bot.settings import SAMPLE_BUSINESS_DIR

POLICY = """# Policies

Some words before any list that run long enough to stand on their own as a chunk.

## Cancellation

- Full refund up to 7 days before the event; after that the deposit is kept
  but can move to a new date within six months.
- Refunds take 5-10 business days.

## Weather
Light rain is fine under a canopy. Heavy rain or high wind: we reschedule for free.
"""


def test_sections_follow_headings_and_each_bullet_is_a_passage():
    chunks = chunk_document(POLICY, min_chars=40)

    assert chunks == [
        Chunk(
            "Policies",
            "Some words before any list that run long enough to stand on their own as a chunk.",
        ),
        # The last bullet is too short to stand alone: it joins the passage before it.
        Chunk(
            "Policies > Cancellation",
            "Full refund up to 7 days before the event; after that the deposit is kept "
            "but can move to a new date within six months.\nRefunds take 5-10 business days.",
        ),
        Chunk(
            "Policies > Weather",
            "Light rain is fine under a canopy. Heavy rain or high wind: we reschedule for free.",
        ),
    ]


def test_a_short_block_joins_the_next_one():
    text = "# FAQ\n\n- Hi.\n- Yes, we bring the grill, the propane and every ingredient we cook."

    assert chunk_document(text, min_chars=20) == [
        Chunk("FAQ", "Hi.\nYes, we bring the grill, the propane and every ingredient we cook.")
    ]


def test_a_long_paragraph_is_cut_between_sentences():
    sentence = "The chef arrives thirty minutes early to set up the grill."
    chunks = chunk_document(" ".join([sentence] * 10), max_chars=150)

    assert len(chunks) == 5
    assert all(len(c.text) <= 150 for c in chunks)
    assert all(c.text.startswith("The chef") and c.text.endswith("grill.") for c in chunks)
    assert all(c.heading == "" for c in chunks)  # plain text has no headings


def test_title_is_the_first_heading_or_the_file_name():
    assert title_of(POLICY, "policies") == "Policies"
    assert title_of("just text", "notes") == "notes"


def test_the_sample_documents_give_one_passage_per_rule():
    pricing = (SAMPLE_BUSINESS_DIR / "pricing.md").read_text()
    chunks = chunk_document(pricing)

    assert len(chunks) == pricing.count("\n- ")
    assert chunks[-1].text.startswith("Gratuity is not included")
    assert {c.heading for c in chunks} == {"Pricing and packages"}
