"""Fill the count placeholders of the manuscript: ``{{ n.included }}`` → ``29``.

Three renderings: digits with thousands separators (``2,819``), ``| words``
(``twenty-nine``) and ``| Words`` for a sentence start (``Twenty-nine``). A
count the authors did not report renders "not reported". The placement lines
``{{ table:studies }}`` and ``{{ figure:prisma }}`` are left for assembly.

With ``NumberMarks``, each number a placeholder renders is wrapped in a pandoc
Span with an id, ``[29]{#ch_n0001}``: in the DOCX it becomes a bookmark around
the number, which survives a round trip through Word or LibreOffice, so
``invoke check --docx`` can tell a number the build wrote from one a person
typed or changed (the marks' entries go into the anchor manifest's "numbers").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Collection, Mapping

from charter.document.counts import Count
from charter.document.english_numbers import LIMIT, english_words
from charter.model import Location, Problem
from charter.suggest import did_you_mean
from charter.sources.wellformed import mask_code_spans

# A count placeholder: ``{{ n.NAME }}`` or ``{{ n.NAME | FILTER }}``.
PLACEHOLDER_RE = re.compile(
    r"\{\{\s*n\.(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]*)\s*(?:\|\s*(?P<filter>[^\s}]*)\s*)?\}\}"
)
# Anything in double braces, to catch what is meant as a placeholder but mistyped.
_ANY_BRACES_RE = re.compile(r"\{\{(?P<inner>[^{}\n]*)\}\}")
# The placement lines handled by assembly, and only when alone on their line.
PLACEMENT_RE = re.compile(r"^[ \t]*\{\{\s*(?P<kind>table|figure):(?P<name>[A-Za-z0-9_\-]+)\s*\}\}[ \t]*$",
                          re.MULTILINE)

FILTERS = ("words", "Words")
# A number the build wrote, as assembled Markdown carries it: "[29]{#ch_n0001}".
MARK_RE = re.compile(r"\[(?P<text>[^\[\]]*)\]\{#(?P<anchor>ch_n\d{4,})\}")
NOT_REPORTED = "not reported"
# A word count until the words are counted (charter.document.word_placeholders): one word, as its number will be.
WORDS_STAND_IN = "\u27e6{}\u27e7"


@dataclass(frozen=True)
class Filled:
    """One placeholder that was replaced: its name, what it became, and its 1-based line."""

    name: str
    text: str
    line: int


@dataclass
class NumberMarks:
    """The numbers placeholders rendered, each under its own anchor id: ``ch_n0001`` -> count name, text."""

    entries: dict[str, dict] = field(default_factory=dict)

    def mark(self, name: str, rendered: str, path: str, line: int) -> str:
        """Wrap a rendered number in a Span whose id becomes a DOCX bookmark: "[29]{#ch_n0001}"."""
        anchor = f"ch_n{len(self.entries) + 1:04d}"
        self.entries[anchor] = {"count": name, "text": rendered, "source": path, "line": line}
        return f"[{rendered}]{{#{anchor}}}"


def unmark(text: str) -> str:
    """Markdown with the numbers' marks taken off again: "[29]{#ch_n0001}" -> "29"."""
    return MARK_RE.sub(lambda m: m.group("text"), text)


def _in_words(value: int) -> str:
    """num2words' English, without importing num2words (every language it has) for the usual counts."""
    if 0 <= value < LIMIT and not isinstance(value, bool):
        return english_words(value)
    from num2words import num2words

    return num2words(value, lang="en")


def render(count: Count, filter_name: str | None) -> str:
    """Render a count as digits ("2,819"), words ("twenty-nine") or capitalised words ("Twenty-nine")."""
    if count.value is None:
        text = NOT_REPORTED
    elif filter_name in ("words", "Words") and isinstance(count.value, int):
        text = _in_words(count.value)
    elif isinstance(count.value, float):  # a median of an even number of values: "12.5"
        text = f"{round(count.value, 6):,}"
    else:
        text = f"{count.value:,}"
    if filter_name == "Words":
        text = text[:1].upper() + text[1:]
    return text


def fill_recording(text: str, counts: Mapping[str, Count], path: str, first_line: int = 1,
                   marks: NumberMarks | None = None,
                   words: Collection[str] = ()) -> tuple[str, list[Problem], list[Filled]]:
    """Like ``fill`` and also return each replacement made, in text order.

    ``marks``: wrap each number rendered in a Span with an id (see ``NumberMarks``); a count the data
    does not report ("not reported") is not a number and is not marked.

    ``words``: the word-count names (``words.main``, …) the text may use; they are counted once pandoc has
    read the text, so they are written as a one-word stand-in, ``⟦words.main⟧``, replaced by the number
    afterwards (``charter.document.word_placeholders``).
    """
    problems: list[Problem] = []
    filled: list[Filled] = []
    names = [f"n.{name}" for name in (*counts, *words)]
    # code shows the number as text: a mark there would show as "[29]{#ch_n0001}"
    code = [m.span() for m in re.finditer(r"^(```|~~~).*?^\1|`[^`\n]*`", text, re.S | re.M)] if marks else []

    def line_of(offset: int) -> int:
        return first_line + text.count("\n", 0, offset)

    def column_of(offset: int) -> int:
        return offset - (text.rfind("\n", 0, offset) + 1) + 1

    def replace(match: re.Match) -> str:
        inner = match.group("inner").strip()
        where = Location(path, line_of(match.start()), column_of(match.start()))
        placeholder = PLACEHOLDER_RE.fullmatch(match.group(0))
        if placeholder is None:
            if re.fullmatch(r"(table|figure):[A-Za-z0-9_\-]+", inner.replace(" ", "")):
                if PLACEMENT_RE.fullmatch(_line_at(text, match.start())):
                    return match.group(0)  # a placement line: assembly's job
                problems.append(Problem(where, "", f"'{{{{ {inner} }}}}' must stand alone on its own line "
                                        "to place the table or figure there"))
                return match.group(0)
            hint = did_you_mean(inner.split("|")[0].strip(), names)
            problems.append(Problem(where, "", f"'{match.group(0)}' is not a placeholder{hint}; write "
                                    "{{ n.NAME }}, {{ n.NAME | words }} or {{ n.NAME | Words }} "
                                    "(run 'invoke counts' to list every NAME)"))
            return match.group(0)
        name, filter_name = placeholder.group("name"), placeholder.group("filter")
        if name in words and name not in counts:
            return _word_count(name, filter_name, match, where)
        ok = True
        if name not in counts:
            hint = did_you_mean(f"n.{name}", names)
            hint = hint or " (run 'invoke counts' to list every name)"
            problems.append(Problem(where, "", f"unknown placeholder 'n.{name}'{hint}"))
            ok = False
        if filter_name is not None and filter_name not in FILTERS:
            hint = did_you_mean(filter_name, FILTERS)
            problems.append(Problem(where, "", f"unknown filter '{filter_name}' in '{match.group(0)}'{hint}; "
                                    "use | words (twenty-nine) or | Words (Twenty-nine) or none (29)"))
            ok = False
        if ok and filter_name in FILTERS and isinstance(counts[name].value, float):
            shown = render(counts[name], None)
            problems.append(Problem(where, "", f"n.{name} is {shown}, which is not a whole number and has no "
                                    f"words form; write {{{{ n.{name} }}}} (it renders {shown})"))
            ok = False
        if not ok:
            return match.group(0)
        rendered = render(counts[name], filter_name)
        filled.append(Filled(name, rendered, where.line))
        if marks is not None and counts[name].value is not None and \
                not any(a <= match.start() < b for a, b in code):
            return marks.mark(name, rendered, path, where.line)
        return rendered

    def _word_count(name: str, filter_name: str | None, match: re.Match, where: Location) -> str:
        if filter_name is not None:
            problems.append(Problem(where, "", f"write {{{{ n.{name} }}}} without '| {filter_name}': a word count "
                                    "is written in digits, so that the number stating it is one word whatever it "
                                    "is (docs/submission.md)"))
            return match.group(0)
        standing = WORDS_STAND_IN.format(name)
        filled.append(Filled(name, standing, where.line))
        if marks is not None and not any(a <= match.start() < b for a, b in code):
            return marks.mark(name, standing, path, where.line)
        return standing

    result = _ANY_BRACES_RE.sub(replace, text)
    if "{{" in text:
        problems += _unclosed(text, path, first_line)
    return result, problems, filled


_CODE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _unclosed(text: str, path: str, first_line: int) -> list[Problem]:
    """A '{{' that no '}}' closes on its line (code blocks and code spans aside): it would print as typed."""
    problems = []
    fence = None
    for number, line in enumerate(text.split("\n")):
        opening = _CODE_RE.match(line)
        if fence is not None:
            fence = None if opening and opening.group(1)[0] == fence[0] and \
                len(opening.group(1)) >= len(fence) else fence
            continue
        if opening:
            fence = opening.group(1)
            continue
        if "{{" not in line:
            continue
        masked = _ANY_BRACES_RE.sub(lambda m: " " * len(m.group()), mask_code_spans(line))
        column = masked.find("{{")
        if column >= 0:
            start = line[column:column + 30].split("\n")[0]
            problems.append(Problem(Location(path, first_line + number, column + 1), "",
                                    f"the placeholder '{start.strip()}…' is not closed: end it with '}}}}' on the same "
                                    "line, e.g. {{ n.included }}"))
    return problems


def fill(text: str, counts: Mapping[str, Count], path: str, first_line: int = 1,
         words: Collection[str] = ()) -> tuple[str, list[Problem]]:
    """Replace every count placeholder in text; report unknown names and filters with file and line."""
    result, problems, _ = fill_recording(text, counts, path, first_line, words=words)
    return result, problems


def _line_at(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start:] if end < 0 else text[start:end]
