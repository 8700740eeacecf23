"""Word counts of the built manuscript: abstract, main text and each section, and the journal's limits.

Counted in pandoc's document after citeproc (build/manuscript.json), so a citation
counts as the words the reader sees. The rule: the main text is every paragraph and
list of manuscript/*.md; headings, the title page, the abstract, the keywords,
tables, figure captions, the back matter and the reference list are not counted
(``count_headings: true`` counts headings too). A word is a run of characters
between spaces that holds a letter or a digit. ``invoke check`` warns when a limit
in ``submission:`` is exceeded; ``invoke submit`` writes word-counts.json; the
``n.words.*`` placeholders (``charter.document.word_placeholders``) print them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from charter.model import Location, Problem
from charter.sources.submission_options import SubmissionOptions

_WORD_RE = re.compile(r"\S+")


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def words_in(text: str) -> int:
    """Words as a reader counts them: runs between spaces that hold a letter or a digit."""
    return sum(1 for token in _WORD_RE.findall(text) if _is_word(token))


def plain_text(node) -> str:
    """The text of pandoc JSON inlines/blocks; notes and raw code are left out."""
    if isinstance(node, list):
        return "".join(plain_text(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind, content = node.get("t"), node.get("c")
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("RawInline", "RawBlock", "Note"):
        return " "
    if kind == "Cite":
        return plain_text(content[1])
    if kind in ("Code", "Math"):
        return content[1]
    if kind in ("Para", "Plain"):
        return plain_text(content) + " "
    if kind in ("Link", "Image", "Span", "Quoted"):  # [attr or quote type, inlines, …]
        return plain_text(content[1])
    if kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
        return plain_text(content)  # inside a word, as in "*re*consider": no space added
    if kind == "Header":
        return plain_text(content[2]) + " "
    if isinstance(content, (list, dict)):
        return " " + plain_text(content) + " "
    return ""


@dataclass(frozen=True)
class WordCounts:
    abstract: int
    main: int
    sections: tuple[tuple[str, int], ...]  # (first-level heading, words), in order

    def as_counts(self) -> dict[str, int]:
        """The counts under their placeholder names (``n.words.main``)."""
        result = {"words.abstract": self.abstract, "words.main": self.main}
        for heading, number in self.sections:
            result[f"words.{section_slug(heading)}"] = number
        return result


def section_slug(heading: str) -> str:
    """A section's name in placeholders: its heading in lower case, ``_`` between words."""
    return re.sub(r"[^a-z0-9]+", "_", heading.lower()).strip("_") or "section"


def count_words(document: Mapping, *, count_headings: bool = False) -> WordCounts:
    """Count the words of pandoc's document (build/manuscript.json) by the rule in the module docstring."""
    abstract_meta = document.get("meta", {}).get("charter-abstract")
    abstract = words_in(plain_text(abstract_meta.get("c") if isinstance(abstract_meta, dict) else []))
    sections: list[list] = []
    main = 0
    for block in document.get("blocks", []):
        # the prose of manuscript/*.md: Divs ch_p0001…; back matter (ch_m…), tables, figures are not counted
        if block.get("t") != "Div" or not block["c"][0][0].startswith("ch_p"):
            continue
        for inner in block["c"][1]:
            if inner.get("t") == "Figure":  # an image of the authors' with its caption: captions are not counted
                continue
            if inner.get("t") == "Header":
                if inner["c"][0] == 1:
                    sections.append([plain_text(inner["c"][2]).strip(), 0])
                if not count_headings:
                    continue
            number = words_in(plain_text(inner))
            main += number
            if sections:
                sections[-1][1] += number
    return WordCounts(abstract, main, tuple((h, n) for h, n in sections))


def limit_problems(counts: WordCounts, options: SubmissionOptions | None, source: str) -> list[Problem]:
    """A warning for each word limit the manuscript exceeds."""
    problems = []
    for name, limit in (options.word_limits if options else {}).items():
        actual = counts.abstract if name == "abstract" else counts.main
        if actual > limit:
            where = options.positions.get(f"word_limits.{name}") or Location(source)
            what = "the abstract" if name == "abstract" else "the main text"
            problems.append(Problem(where, f"submission.word_limits.{name}",
                                    f"{what} has {actual} words, over the journal's limit of {limit} by "
                                    f"{actual - limit}; shorten it (the counting rule: docs/submission.md)",
                                    severity="warning"))
    return problems


# ------------------------------------------------- counts of the last build

SOURCES = ("review.yaml", "studies", "bib", "manuscript", "templates")


def built_word_counts(root: str | Path, options: SubmissionOptions | None) -> WordCounts | None:
    """The word counts of the last build (build/manuscript.json), or None when there is none or a source
    changed since (then the counts would be of an older text)."""
    root = Path(root)
    document = root / "build" / "manuscript.json"
    if not document.is_file() or document.is_symlink():
        return None
    built = document.stat().st_mtime
    for name in SOURCES:
        path = root / name
        paths = [path] if path.is_file() else (path.rglob("*") if path.is_dir() else [])
        if any(p.is_file() and p.stat().st_mtime > built for p in paths):
            return None
    try:
        data = json.loads(document.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return count_words(data, count_headings=bool(options and options.count_headings))


def word_limit_problems(root: str | Path, options: SubmissionOptions | None) -> list[Problem]:
    """``invoke check``: a warning per word limit exceeded, or a note that the counts need a build first."""
    if options is None or not options.word_limits:
        return []
    counts = built_word_counts(root, options)
    if counts is None:
        where = options.positions.get("word_limits") or Location("manuscript/metadata.yaml")
        return [Problem(where, "submission.word_limits", "the word limits were not checked: the words are "
                        "counted in the built manuscript, and it is missing or older than the sources; run "
                        "invoke build, then invoke check again", severity="warning")]
    return limit_problems(counts, options, "manuscript/metadata.yaml")
