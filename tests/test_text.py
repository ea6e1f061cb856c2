"""Text analysis: folding, tokens, stems per language, language guess, cross-language pivot."""

from fundmatch.text import analyse, fold, guess_language, pivot, plain, stem, tokens


def test_plain_removes_html_and_entities() -> None:
    assert plain("<p>Open&nbsp;data <b>for</b>\n cities</p>") == "Open data for cities"


def test_fold_removes_accents_and_case() -> None:
    assert fold("Données Ouvertes") == "donnees ouvertes"
    assert fold("Πόλεις") == "πολεισ"  # final sigma folded too


def test_tokens_split_hyphens_and_punctuation() -> None:
    assert tokens("open-data, smart_city!") == ["open", "data", "smart", "city"]


def test_stems_are_per_language() -> None:
    assert stem("cities", "en") == stem("city", "en") == "citi"
    assert stem("mobilité", "fr") == "mobil"
    assert stem("mobilità", "it") == "mobil"
    assert stem("ανοιχτά", "el") == stem("ανοιχτό", "el")


def test_analyse_drops_stop_words_and_numbers() -> None:
    assert analyse("The smart cities of 2030", "en") == ["smart", "citi"]
    assert analyse("les données ouvertes de la ville", "fr") == ["don", "ouvert", "vill"]


def test_guess_language() -> None:
    assert guess_language("Nous voulons ouvrir les données de la ville pour les citoyens") == "fr"
    assert guess_language("Vogliamo aprire i dati della città per i cittadini") == "it"
    assert guess_language("Queremos abrir los datos de la ciudad para los ciudadanos") == "es"
    assert guess_language("Θέλουμε να ανοίξουμε τα δεδομένα της πόλης") == "el"
    assert guess_language("We want to open the city's data to citizens") == "en"
    assert guess_language("") == "en"


def test_a_stray_greek_letter_does_not_make_english_text_greek() -> None:
    assert guess_language("We measure the α-synuclein level in patients with the disease") == "en"


def test_pivot_maps_french_words_to_english_stems() -> None:
    french = pivot(analyse("données ouvertes de la ville, eau potable", "fr"), "fr")
    assert {"data", "open", "citi", "water"} <= set(french)


def test_pivot_keeps_unknown_words_and_english() -> None:
    assert pivot(["xyzzy"], "fr") == ["xyzzy"]
    assert pivot(["open", "data"], "en") == ["open", "data"]
