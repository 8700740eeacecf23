"""Small rules of English for the phrases Charter writes itself (count meanings, Table 1, messages).

A review's vocabulary is the authors' own ("outbreak investigation", "RCT",
"mixed-method evaluation"), so every generated phrase that puts an article or a
count before such a label goes through these helpers instead of a fixed "a".
"""

from __future__ import annotations

import re

# Words that start with a vowel letter but a consonant sound ("a unique", "a one-off", "a European").
_CONSONANT_SOUND = re.compile(r"(uni(?!n|mp|d)|us[aeiou]|uti|ur[aeiou]|eu|ewe|one\b|once|ouija|ufo\b)", re.IGNORECASE)
# Words that start with a consonant letter but a vowel sound (a silent h).
_VOWEL_SOUND = re.compile(r"(hour|honest|honou?r|heir)", re.IGNORECASE)
# Letters whose spoken name starts with a vowel sound: "an RCT", "an MRI study", "an SMS survey", but "a UK study".
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")

_IRREGULAR = {"study": "studies", "analysis": "analyses", "criterion": "criteria", "person": "people",
              "child": "children", "woman": "women", "man": "men", "datum": "data", "hypothesis": "hypotheses",
              "synthesis": "syntheses", "phenomenon": "phenomena", "index": "indices", "cluster": "clusters",
              "series": "series", "species": "species"}


def article(phrase: str) -> str:
    """The indefinite article for a phrase: "an" before a vowel sound ("an outbreak", "an RCT"), else "a"."""
    word = phrase.strip().lstrip("\"'“‘(")
    if not word:
        return "a"
    first = re.match(r"[^\s\-/]+", word)
    token = first.group(0) if first else word
    if token[0].isdigit():  # "an 8-week trial", "an 11-site study", "an 18-month follow-up", "a 1-year"
        digits = re.match(r"[0-9][0-9,]*", token).group(0).replace(",", "")
        leading = digits[:len(digits) % 3 or 3]  # the part read first: "eleven" thousand, "eight" hundred
        return "an" if leading.startswith("8") or leading in ("11", "18") else "a"
    letters = re.sub(r"[^A-Za-z]", "", token)
    if not letters:
        return "a"
    if len(letters) > 1 and letters.isupper():  # an acronym is read letter by letter
        return "an" if letters[0] in _VOWEL_LETTERS else "a"
    if _VOWEL_SOUND.match(letters):
        return "an"
    if letters[0].lower() in "aeiou":
        return "a" if _CONSONANT_SOUND.match(letters) else "an"
    return "a"


def with_article(phrase: str) -> str:
    """"outbreak investigation" -> "an outbreak investigation"."""
    return f"{article(phrase)} {phrase.strip()}"


def plural_of(noun: str) -> str:
    """The plural of a noun or of a phrase's last word: "study" -> "studies", "case series" -> "case series"."""
    head, _, last = noun.rpartition(" ")
    lower = last.lower()
    if lower in _IRREGULAR:
        plural = _IRREGULAR[lower]
        plural = plural[:1].upper() + plural[1:] if last[:1].isupper() else plural
    elif re.search(r"[^aeiou]y$", lower):
        plural = last[:-1] + "ies"
    elif re.search(r"(s|x|z|ch|sh)$", lower):
        plural = last + "es"
    else:
        plural = last + "s"
    return f"{head} {plural}" if head else plural


def plural(n: int | float, noun: str, plural_form: str | None = None) -> str:
    """A number with its noun in the right number: "1 study", "2 studies", "2,819 records", "1.5 samples"."""
    number = f"{n:,}" if isinstance(n, int) else f"{n:,.1f}".rstrip("0").rstrip(".")
    return f"{number} {noun_for(n, noun, plural_form)}"


def noun_for(n: int | float, noun: str, plural_form: str | None = None) -> str:
    """The noun alone in the number n asks for: noun_for(1, "study") -> "study", noun_for(3, "study") -> "studies"."""
    return noun if n == 1 else (plural_form or plural_of(noun))


def strip_trailing(label: str, word: str) -> str:
    """Drop a trailing word a phrase would repeat: strip_trailing("cross-sectional design", "design")."""
    return re.sub(rf"\s+{re.escape(word)}$", "", label.strip(), flags=re.IGNORECASE) or label.strip()


# Plural nouns Charter's own phrases use, with their singular: "records screened" -> "record screened".
_SINGULAR = {"studies": "study", "records": "record", "reports": "report", "duplicates": "duplicate",
             "databases": "database", "registers": "register", "themes": "theme", "countries": "country",
             "samples": "sample", "participants": "participant", "files": "file", "references": "reference",
             "questions": "question", "problems": "problem", "errors": "error", "warnings": "warning"}


def counted(n: int | float | None, phrase: str, missing: str = "not reported") -> str:
    """A count before a plural phrase, made singular for 1: counted(1, "records screened") -> "1 record screened"."""
    if n is None:
        return f"{missing} {phrase}"
    number = f"{n:,}"
    if n != 1:
        return f"{number} {phrase}"
    words = phrase.split(" ")
    for index, word in enumerate(words):
        if word in _SINGULAR:
            words[index] = _SINGULAR[word]
            break
    return f"{number} {' '.join(words)}"
