"""Which models a /compare asks: `COMPARE_MODELS`, minus the ones that cannot answer here.

A vendor that needs a key and has none is left out with a note naming the
setting, rather than shown as "failed" on every compare; so is a model its
vendor has retired, with a note naming the replacement. When that leaves no
vendor model at all (a laptop without keys), the compare runs on what is
available locally (the embedded model, plus any keyless ids that were
listed) and says so, instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.compare.result import Contestant, Lineup
from agents.errors import UnknownProviderError
from agents.providers.factory import KEY_SETTINGS, ProviderFactory

#: Vendors that cannot answer without a key, and the setting that holds it.
KEYED_VENDORS = KEY_SETTINGS
#: What a compare falls back to when no keyed model is left.
LOCAL_MODEL = "local"


def choose_lineup(model_ids: Sequence[str], factory: ProviderFactory) -> Lineup:
    """The contestants for ``model_ids`` (positions 1..n in the order given, duplicates dropped).

    Ids are written in full (``openai`` → ``openai:gpt-6-luna``, the factory's
    default models). Nothing is built or called here: this only reads settings.
    """
    notes: list[str] = []
    kept: list[str] = []
    left_out_for_keys = False
    for raw in model_ids:
        try:
            model_id = factory.model_id(raw)
        except UnknownProviderError as exc:
            notes.append(f"{raw.strip()} left out: {exc}")
            continue
        if model_id in kept:
            continue
        retired = factory.retired(model_id)
        if retired is not None:
            notes.append(f"{model_id} left out: {retired.lifecycle_note(factory.today())}")
            continue
        provider = model_id.partition(":")[0]
        setting = KEYED_VENDORS.get(provider)
        if setting and not factory.settings.vendor(provider).api_key:
            notes.append(f"{model_id} left out: {setting} is not set")
            left_out_for_keys = True
            continue
        kept.append(model_id)

    keyed_left = any(model_id.partition(":")[0] in KEYED_VENDORS for model_id in kept)
    if not kept or (left_out_for_keys and not keyed_left):
        local = factory.model_id(LOCAL_MODEL)
        if local not in kept:
            kept.insert(0, local)
        notes.append(
            "No model API keys are set for the compared vendors: comparing what is "
            f"available locally ({', '.join(kept)})."
        )
    contestants = tuple(
        Contestant(position=i, model_id=model_id) for i, model_id in enumerate(kept, start=1)
    )
    return Lineup(contestants=contestants, notes=tuple(notes))
