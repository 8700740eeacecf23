"""Suggest the name an author probably meant ("did you mean 'quantitative'?")."""

from __future__ import annotations

from typing import Iterable


def closest(word: str, choices: Iterable[str], cutoff: float = 70) -> str | None:
    """The choice most like word (ignoring case and punctuation), or None when none is close."""
    candidates = [c for c in choices if c != word]
    if not candidates or not word:
        return None
    for choice in candidates:  # a difference of case only is always the answer
        if choice.casefold() == word.casefold():
            return choice
    from rapidfuzz import fuzz, process, utils  # imported when a name is wrong: not on every build's start

    match = process.extractOne(word, candidates, scorer=fuzz.ratio, processor=utils.default_process,
                               score_cutoff=cutoff)
    return match[0] if match else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for the closest choice, or "" when none is close."""
    match = closest(word, choices)
    return f" (did you mean '{match}'?)" if match else ""
