"""Word counts as placeholders in the text: "Word count: {{ n.words.main }}" in any section or metadata field.

The words are counted in the text as built (pandoc's document after citeproc,
``charter.submission.journal.count_words``), and that text holds the placeholder
itself. So the placeholder is first written as a stand-in of one word
(``⟦words.main⟧``), pandoc reads the manuscript, the words are counted, and
each stand-in is then replaced by its number in digits ("4,321"), which is one
word too. The count is therefore that of the final text, the number that
states it included (where the counting rule counts that paragraph), and it is
the same whatever the number is: no circularity. The words forms
(``| words``: "four thousand …") would change the count they state, so they
are refused for these placeholders.

The names known before pandoc runs are ``words.abstract``, ``words.main`` and
``words.<section>`` for each first-level heading of manuscript/*.md (its text
in lower case, ``_`` between words), as ``invoke counts`` lists them.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from charter.document.placeholders import WORDS_STAND_IN
from charter.document.word_counts import WordCounts, count_words, section_slug

PREFIX = "words."
STAND_IN_RE = re.compile(r"⟦(words\.[A-Za-z0-9_.\-]+)⟧")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX_1_RE = re.compile(r"^ {0,3}#(?!#)[ \t]+(?P<text>.*?)[ \t]*(?:#+[ \t]*)?$")
_SETEXT_1_RE = re.compile(r"^ {0,3}=+[ \t]*$")
_ATTRIBUTES_RE = re.compile(r"\s*\{[^{}]*\}\s*$")


def stand_in(name: str) -> str:
    """What a word-count placeholder is written as until the words are counted: one word."""
    return WORDS_STAND_IN.format(name)


def word_count_names(section_texts: Iterable[str]) -> list[str]:
    """The word-count placeholder names: words.abstract, words.main, then one per first-level heading."""
    names = ["words.abstract", "words.main"]
    for text in section_texts:
        names += [PREFIX + section_slug(heading) for heading in _first_level_headings(text)]
    return list(dict.fromkeys(names))


def _first_level_headings(text: str) -> list[str]:
    """The first-level headings of a section's Markdown (ATX "# X" and setext "X / ==="), code blocks aside."""
    headings, fence, previous = [], None, ""
    for line in text.split("\n"):
        opening = _FENCE_RE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            previous = ""
            continue
        if opening:
            fence, previous = opening.group(1), ""
            continue
        atx = _ATX_1_RE.match(line)
        if atx:
            headings.append(atx.group("text"))
        elif _SETEXT_1_RE.match(line) and previous.strip():
            headings.append(previous.strip())
        previous = line
    # pandoc's heading text: attributes off, emphasis and code marks gone
    return [re.sub(r"[*_`]", "", _ATTRIBUTES_RE.sub("", heading)) for heading in headings]


def fill_word_counts(document: Mapping, *, count_headings: bool = False) -> tuple[dict, WordCounts, dict[str, str],
                                                                                    list[str]]:
    """Count the words of pandoc's document, then replace each stand-in by its number.

    Returns the new document, the counts, the text each name became ("words.main" -> "4,321") and the names
    of stand-ins that have no count (a heading pandoc read differently from the source), in text order.
    """
    counts = count_words(document, count_headings=count_headings)
    values = {name: f"{value:,}" for name, value in counts.as_counts().items()}
    unknown: list[str] = []

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        if name not in unknown:
            unknown.append(name)
        return match.group(0)

    def walk(node):
        if isinstance(node, list):
            return [walk(n) for n in node]
        if isinstance(node, dict):
            if node.get("t") == "Str" and isinstance(node.get("c"), str) and "⟦" in node["c"]:
                return {**node, "c": STAND_IN_RE.sub(replace, node["c"])}
            return {key: walk(value) for key, value in node.items()}
        return node

    filled = {**document, "meta": walk(document.get("meta", {})), "blocks": walk(document.get("blocks", []))}
    used = {name: values[name] for name in _names_in(document) if name in values}
    return filled, counts, used, unknown


def _names_in(document: Mapping) -> list[str]:
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            if node.get("t") == "Str" and isinstance(node.get("c"), str):
                found.extend(STAND_IN_RE.findall(node["c"]))
            else:
                for value in node.values():
                    walk(value)

    walk(document)
    return list(dict.fromkeys(found))


def replace_stand_ins(value, numbers: Mapping[str, str]):
    """Any JSON-like value (the anchor manifest) with each stand-in replaced by its number."""
    if isinstance(value, str):
        return STAND_IN_RE.sub(lambda m: numbers.get(m.group(1), m.group(0)), value) if "⟦" in value else value
    if isinstance(value, list):
        return [replace_stand_ins(v, numbers) for v in value]
    if isinstance(value, dict):
        return {k: replace_stand_ins(v, numbers) for k, v in value.items()}
    return value
