"""The words of churnkit's sheets, reports, e-mail, ribbon and command line, one module per language
(``en``, ``zh``), each a dict of sections named for where the words are shown."""
from __future__ import annotations

from . import en, zh

LANGUAGES = ("en", "zh")
WORDS = {"en": en.WORDS, "zh": zh.WORDS}


def words(lang: str, section: str) -> dict:
    """One section of a language's words (``words("zh", "lists")["as_of"]``)."""
    return WORDS[lang][section]
