"""The retrieval synonyms: the business's own ``synonyms.yml``, else the built-in list.

A business edits ``BUSINESS_DIR/synonyms.yml`` (``document word: [customer
words]``) to teach retrieval how its customers speak ("garage" asks about
cooking "indoor"). The file replaces the built-in list as a whole, so deleting
an entry drops it; a folder without the file uses the built-in list
(``agents/knowledge/synonyms.yml``).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from agents.errors import AgentError

FILE_NAME = "synonyms.yml"
BUILT_IN = Path(__file__).with_name(FILE_NAME)

Synonyms = dict[str, tuple[str, ...]]


class SynonymsError(AgentError):
    """A ``synonyms.yml`` that cannot be read or is not ``word: [words]`` lines."""


def read_synonyms(path: Path) -> Synonyms:
    """The synonyms of one file; `SynonymsError` naming the file when it is malformed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise SynonymsError(f"{path}: cannot read the synonyms ({error})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SynonymsError(f"{path}: expected 'word: [what customers say]' lines")
    synonyms: Synonyms = {}
    for word, aliases in data.items():
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(word, str | int) or not isinstance(aliases, list):
            raise SynonymsError(f"{path}: {word!r} needs a list of words, e.g. [a, b]")
        synonyms[str(word).lower().strip()] = tuple(
            str(a).lower().strip() for a in aliases if a is not None and str(a).strip()
        )
    return synonyms


def business_synonyms(folder: Path | None) -> Synonyms:
    """``folder``'s ``synonyms.yml`` when it has one, else the built-in list."""
    own = folder / FILE_NAME if folder is not None else None
    return read_synonyms(own if own is not None and own.is_file() else BUILT_IN)
