"""Counts in English words ("two thousand, eight hundred and nineteen"), exactly as num2words writes them.

num2words imports every language it knows when it is imported (about 20 ms, before
pandoc can start, in every build whose text spells out a count); Charter spells
counts in English only. This is num2words' own method for English — split the
number by the largest named value, then merge the parts pairwise by its rules
("and" after a hundred, a hyphen inside the tens, a comma between groups) — for
whole numbers from zero to below a trillion. tests/test_small_build.py compares
it with num2words on every number up to 20,000 and on 5,000 drawn above (and
it matched on every number up to 200,000 when written); anything else
(negative or larger numbers) is left to num2words itself.
"""

from __future__ import annotations

LIMIT = 10 ** 12

_TENS = ("ninety", "eighty", "seventy", "sixty", "fifty", "forty", "thirty")
_LOW = ("twenty", "nineteen", "eighteen", "seventeen", "sixteen", "fifteen", "fourteen", "thirteen", "twelve",
        "eleven", "ten", "nine", "eight", "seven", "six", "five", "four", "three", "two", "one", "zero")
# num2words' "cards" for English below a trillion, largest first
_CARDS = ((10 ** 9, "billion"), (10 ** 6, "million"), (1000, "thousand"), (100, "hundred"),
          *zip(range(90, 20, -10), _TENS), *zip(range(20, -1, -1), _LOW))
# the words below a hundred and their values, for reading numbers written in words (the number check)
UNITS = {word: value for value, word in _CARDS if value < 20}  # zero … nineteen
TENS = {word: value for value, word in _CARDS if 20 <= value < 100}  # twenty … ninety


def english_words(value: int) -> str:
    """``num2words(value, lang="en")`` for 0 <= value < LIMIT."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < LIMIT:
        raise ValueError(f"{value!r} is not a whole number from 0 to {LIMIT - 1}")
    return _clean(_split(value))[0]


def _split(value: int) -> list:
    for number, word in _CARDS:
        if number > value:
            continue
        div, mod = (1, 0) if value == 0 else divmod(value, number)
        out: list = [("one", 1)] if div == 1 else [_split(div)]
        out.append((word, number))
        if mod:
            out.append(_split(mod))
        return out
    raise AssertionError("unreachable: zero is the last card")


def _clean(parts: list) -> tuple[str, int]:
    out = parts
    while len(parts) != 1:
        out = []
        left, right = parts[:2]
        if isinstance(left, tuple) and isinstance(right, tuple):
            out.append(_merge(left, right))
            if parts[2:]:
                out.append(parts[2:])
        else:
            for element in parts:
                if isinstance(element, list):
                    out.append(element[0] if len(element) == 1 else _clean(element))
                else:
                    out.append(element)
        parts = out
    return out[0]


def _merge(left: tuple[str, int], right: tuple[str, int]) -> tuple[str, int]:
    ltext, lnum = left
    rtext, rnum = right
    if lnum == 1 and rnum < 100:
        return rtext, rnum
    if 100 > lnum > rnum:
        return f"{ltext}-{rtext}", lnum + rnum
    if lnum >= 100 > rnum:
        return f"{ltext} and {rtext}", lnum + rnum
    if rnum > lnum:
        return f"{ltext} {rtext}", lnum * rnum
    return f"{ltext}, {rtext}", lnum + rnum
