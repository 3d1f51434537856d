"""The crosswalk from what users type to the codes c5map joins on."""

from __future__ import annotations

import pytest

from c5map.codes import code_book, normalise_name

BOOK = code_book()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("KAZ", "KAZ"),
        ("kaz", "KAZ"),
        ("Kazakhstan", "KAZ"),
        ("Republic of Kazakhstan", "KAZ"),
        ("Kyrgyzstan", "KGZ"),
        ("Kyrgyz Republic", "KGZ"),
        ("Tajikistan", "TJK"),
        ("Turkmenistan", "TKM"),
        ("Uzbekistan", "UZB"),
        ("United States", "USA"),
        ("United States of America", "USA"),
        ("US", "USA"),
        ("China", "CHN"),
        ("People's Republic of China", "CHN"),
        ("Russia", "RUS"),
        ("Russian Federation", "RUS"),
        ("France", "FRA"),
        ("Norway", "NOR"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("Turkiye", "TUR"),
        ("India", "IND"),
        ("Australia", "AUS"),
        ("Ukraine", "UKR"),
        ("South Korea", "KOR"),
        ("Afghanistan", "AFG"),
        ("C5", "C5"),
        ("KZ", "KAZ"),
        ("UZ", "UZB"),
        ("FR", "FRA"),
        ("NO", "NOR"),
    ],
)
def test_resolve(text, code):
    assert BOOK.resolve(text) == code


@pytest.mark.parametrize(
    ("typo", "code"),
    [
        ("UZZ", "UZB"),
        ("Kazakstan", "KAZ"),
        ("Uzbekstan", "UZB"),
        ("Tadjikistan", "TJK"),
        ("Kyrgystan", "KGZ"),
        ("Turkmenstan", "TKM"),
    ],
)
def test_suggest(typo, code):
    assert BOOK.resolve(typo) in (None, code)
    assert BOOK.suggest(typo) == code


def test_nothing_is_guessed_for_nonsense():
    assert BOOK.resolve("Atlantis") is None
    assert BOOK.suggest("Atlantis") is None


def test_iso_a3_placeholder_is_not_a_name():
    assert BOOK.resolve("-99") is None


def test_normalise_name():
    assert normalise_name("The Kyrgyz-Republic") == "kyrgyz republic"
    assert normalise_name("Côte d'Ivoire") == "cote d ivoire"
