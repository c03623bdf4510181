"""The business-editable synonyms list (BUSINESS_DIR/synonyms.yml) and its built-in default."""

from pathlib import Path

import pytest
import yaml

from agents.knowledge.service import open_knowledge_base
from agents.knowledge.synonyms import (
    BUILT_IN,
    SynonymsError,
    business_synonyms,
    read_synonyms,
)
from agents.knowledge.terms import active_synonyms, stem, terms, use_synonyms
from bot.settings import SAMPLE_BUSINESS_DIR
from memory.db import Database

GRILL = "# Equipment\n\nThe teppan grill runs on propane and needs a flat surface.\n"


@pytest.fixture(autouse=True)
def _restore_synonyms():
    before = active_synonyms()
    yield
    use_synonyms(before)


async def _search(folder: Path, tmp_path: Path, question: str) -> list:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'kb.db'}")
    await db.migrate()
    try:
        retriever = await open_knowledge_base(db, folder)
        return await retriever.relevant(question)
    finally:
        await db.dispose()


def test_the_sample_business_ships_the_list_that_was_in_code():
    sample = read_synonyms(SAMPLE_BUSINESS_DIR / "synonyms.yml")
    assert sample == read_synonyms(BUILT_IN)
    assert "garage" in sample["indoor"] and "thunderstorm" in sample["rain"]


def test_a_folder_without_the_file_uses_the_built_in_list(tmp_path):
    assert business_synonyms(tmp_path) == read_synonyms(BUILT_IN)


async def test_the_business_list_replaces_the_built_in_one_in_retrieval(tmp_path):
    folder = tmp_path / "business"
    folder.mkdir()
    (folder / "equipment.md").write_text(GRILL)
    # Without the business's word, "barbie" is a topic no document names: nothing found.
    assert await _search(folder, tmp_path, "does the barbie need a flat surface?") == []
    (folder / "synonyms.yml").write_text("grill: [barbie, bbq]\nrain: []\n")
    hits = await _search(folder, tmp_path, "does the barbie need a flat surface?")
    assert [h.document for h in hits] == ["equipment.md"]
    # The file replaces the built-in list: its words no longer count as one.
    assert terms("thunderstorm") == [stem("thunderstorm")]


async def test_a_folder_without_the_file_keeps_the_built_in_words(tmp_path):
    folder = tmp_path / "business"
    folder.mkdir()
    (folder / "weather.md").write_text("# Weather\n\nIn heavy rain we reschedule for free.\n")
    use_synonyms({})  # as if another business had been loaded before
    hits = await _search(folder, tmp_path, "what if there's a thunderstorm?")
    assert [h.document for h in hits] == ["weather.md"]


@pytest.mark.parametrize(
    "content", ["- just\n- a list\n", "grill: {nested: map}\n", "grill: [unclosed\n"]
)
def test_a_malformed_file_names_itself(tmp_path, content):
    path = tmp_path / "synonyms.yml"
    path.write_text(content)
    with pytest.raises(SynonymsError, match=r"synonyms\.yml"):
        read_synonyms(path)


def test_a_single_word_or_an_empty_file_is_accepted(tmp_path):
    path = tmp_path / "synonyms.yml"
    path.write_text(yaml.safe_dump({"grill": "barbie"}))
    assert read_synonyms(path) == {"grill": ("barbie",)}
    path.write_text("# nothing yet\n")
    assert read_synonyms(path) == {}
