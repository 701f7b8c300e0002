"""The words of churnkit's sheets, reports, e-mail, ribbon and command line, one module per language
(``en``, ``zh``), each a dict of sections named for where the words are shown."""
from __future__ import annotations

from . import en, zh

LANGUAGES = ("en", "zh")
WORDS = {"en": en.WORDS, "zh": zh.WORDS}


def plural(n: int, word: str) -> str:
    """An English noun as a count of ``n`` needs it: ``row`` for 1, ``rows`` for any other number
    (the Chinese words have no plural and leave it out)."""
    return word if n == 1 else f"{word}s"


def words(lang: str, section: str) -> dict:
    """One section of a language's words (``words("zh", "lists")["as_of"]``)."""
    return WORDS[lang][section]
