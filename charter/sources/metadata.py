"""Read ``manuscript/metadata.yaml``: the title page, back matter and citation style, as typed data.

The fields (only ``title`` is required; text fields are Markdown and may hold
count placeholders such as ``{{ n.included }}``)::

    title: Social support and recovery from mental health problems
    subtitle: a scoping review
    short_title: Social support and recovery     # running head of the PDF
    authors:
      - name: Kari Nordmann
        affiliations: [uib]                      # or  affiliation: uib
        orcid: 0000-0002-1825-0097
        email: kari@example.org
        corresponding: true                      # a title-page footnote (*) with the e-mail and ORCID
        equal_contribution: true                 # authors marked so share one footnote (†)
    affiliations:                                # or a list: - {id: uib, name: University of Bergen}
      uib: University of Bergen
    abstract: |
      We mapped {{ n.included }} studies …
    keywords: [social support, recovery]
    acknowledgements: …                          # back matter, printed before the references
    author_information: …                        #   in this order, each under its own heading
    contributions: …
    funding: …
    disclosure: …
    csl: nordic-social-work-research             # style id, or path of a .csl file in the project (default: this one)
    paper: a4                                    # a4 (default) or letter
    lang: en-GB                                  # BCP 47 tag of the text language (hyphenation, proofing)
    submission:                                  # what the journal asks for: invoke submit (docs/submission.md)
      line_numbers: true
      word_limits: {abstract: 250, main: 6000}

A blind manuscript (``invoke build --blind``) leaves out the authors,
affiliations, acknowledgements, author information, contributions and funding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from yaml.nodes import MappingNode, SequenceNode

from charter.model import Location, Problem
from charter.sources.submission_options import SubmissionOptions, parse_options
from charter.suggest import did_you_mean
from charter.sources.yaml_source import NodeReader, compose, decode

METADATA_PATH = "manuscript/metadata.yaml"

# The back matter, in the order it is printed before the references, with its heading.
BACK_MATTER = (
    ("acknowledgements", "Acknowledgements"),
    ("author_information", "Notes on contributors"),
    ("contributions", "Author contributions"),
    ("funding", "Funding"),
    ("disclosure", "Disclosure statement"),
)
# Back matter that names people or institutions: left out of a blind manuscript.
IDENTIFYING = frozenset({"acknowledgements", "author_information", "contributions", "funding"})

_FIELDS = {
    "title": True, "subtitle": False, "short_title": False, "authors": False, "affiliations": False,
    "abstract": False, "keywords": False, "csl": False, "paper": False, "lang": False, "submission": False,
    **{name: False for name, _ in BACK_MATTER},
}
_AUTHOR_FIELDS = {"name": True, "affiliations": False, "affiliation": False, "orcid": False,
                  "email": False, "corresponding": False, "equal_contribution": False}
PAPERS = ("a4", "letter")
# A BCP 47 language tag as Word and Typst take it: language, optional script, region and variants
# ("en", "en-GB", "nb-NO", "zh-Hans-CN", "de-CH-1996"). It reaches Typst's code and the DOCX's XML.
LANG_RE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|[0-9]{3}))?"
                     r"(-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*")


@dataclass(frozen=True)
class Author:
    name: str
    affiliations: tuple[str, ...] = ()  # keys into Metadata.affiliations
    orcid: str | None = None
    email: str | None = None
    corresponding: bool = False
    equal_contribution: bool = False  # shares a title-page footnote with the other authors marked so


@dataclass(frozen=True)
class Metadata:
    """The manuscript's metadata. Text fields are Markdown with placeholders not yet filled."""

    title: str
    subtitle: str | None = None
    short_title: str | None = None
    authors: tuple[Author, ...] = ()
    affiliations: Mapping[str, str] = field(default_factory=dict)  # key -> text, in the order written
    abstract: str | None = None
    keywords: tuple[str, ...] = ()
    back_matter: Mapping[str, str] = field(default_factory=dict)  # BACK_MATTER field -> text
    csl: str | None = None  # style id or path; None = the default style
    paper: str | None = None  # "a4" or "letter"; None = the build's choice
    lang: str = "en-GB"
    submission: SubmissionOptions | None = None  # the journal's requirements (invoke submit)
    source: Location = Location(METADATA_PATH)
    positions: Mapping[str, Location] = field(default_factory=dict)  # dotted field -> where its value is written

    def affiliation_numbers(self) -> dict[str, int]:
        """Number the affiliations 1, 2, … in the order the authors first name them."""
        numbers: dict[str, int] = {}
        for author in self.authors:
            for key in author.affiliations:
                numbers.setdefault(key, len(numbers) + 1)
        return numbers


def read_metadata(root: str | Path) -> tuple[Metadata | None, list[Problem]]:
    """Read and check manuscript/metadata.yaml under root."""
    from charter.paths import refuse_outside

    path = Path(root) / METADATA_PATH
    outside = refuse_outside(root, METADATA_PATH) if path.is_file() else None
    if outside is not None:
        return None, [outside]
    if not path.is_file():
        return None, [Problem(Location(METADATA_PATH), "", "the file is missing: create it with at least "
                              "'title: …' (and authors, abstract, keywords); see docs/format.md")]
    return parse_metadata(path.read_bytes())


def parse_metadata(data: bytes, path: str = METADATA_PATH) -> tuple[Metadata | None, list[Problem]]:
    """Turn the bytes of metadata.yaml into Metadata, with a Problem for every mistake."""
    text, problems = decode(path, data)
    if text is None:
        return None, problems
    node, syntax = compose(path, text)
    problems += syntax
    if node is None:
        if not syntax:
            problems.append(Problem(Location(path, 1, 1), "", "the file is empty: write at least 'title: …'"))
        return None, problems
    reader = NodeReader(path)
    fields = reader.mapping(node, "", _FIELDS, what="metadata.yaml")

    affiliations = _affiliations(reader, fields.get("affiliations"))
    authors = []
    for item_path, item in reader.items(fields.get("authors"), "authors", what="a list of authors"):
        author = reader.mapping(item, item_path, _AUTHOR_FIELDS, what="an author")
        name = reader.text(author.get("name"), f"{item_path}.name")
        keys: tuple[str, ...] = ()
        for field_name in ("affiliations", "affiliation"):
            if field_name in author:
                keys += reader.text_list(author[field_name], f"{item_path}.{field_name}", single=True)
        for key in keys:
            if key not in affiliations:
                known = list(affiliations)
                where = author.get("affiliations") or author.get("affiliation")
                listing = f"; the affiliations are: {', '.join(known)}" if known else \
                    "; declare it under 'affiliations:'"
                reader.error(where, f"{item_path}.affiliations",
                             f"unknown affiliation '{key}'{did_you_mean(key, known)}{listing}")
        corresponding = reader.boolean(author["corresponding"], f"{item_path}.corresponding") \
            if "corresponding" in author else False
        equal = reader.boolean(author["equal_contribution"], f"{item_path}.equal_contribution") \
            if "equal_contribution" in author else False
        if name is not None:
            authors.append(Author(
                name=name, affiliations=tuple(k for k in keys if k in affiliations),
                orcid=reader.text(author.get("orcid"), f"{item_path}.orcid", required=False),
                email=reader.text(author.get("email"), f"{item_path}.email", required=False),
                corresponding=bool(corresponding), equal_contribution=bool(equal)))

    def optional(name: str) -> str | None:
        return reader.text(fields.get(name), name, required=False)

    paper = optional("paper")
    if paper is not None and paper.lower() not in PAPERS:
        reader.error(fields["paper"], "paper", f"expected a4 or letter but got '{paper}'")
        paper = None
    lang = optional("lang")
    if lang is not None and not LANG_RE.fullmatch(lang):
        reader.error(fields["lang"], "lang", f"'{lang}' is not a language tag such as en-GB; write the language "
                     "code, optionally with the region (en, en-US, nb-NO, de-CH)")
        lang = None
    back = {name: value for name, _ in BACK_MATTER if (value := optional(name)) is not None}
    submission = parse_options(reader, fields.get("submission"))
    title = reader.text(fields.get("title"), "title")
    problems += reader.problems
    if title is None:
        return None, problems
    return Metadata(
        title=title, subtitle=optional("subtitle"), short_title=optional("short_title"),
        authors=tuple(authors), affiliations=MappingProxyType(affiliations), abstract=optional("abstract"),
        keywords=reader.text_list(fields.get("keywords"), "keywords", single=True),
        back_matter=MappingProxyType(back), csl=optional("csl"),
        paper=paper.lower() if paper else None, lang=lang or "en-GB", submission=submission,
        source=Location(path), positions=MappingProxyType(dict(reader.positions)),
    ), problems


def _affiliations(reader: NodeReader, node) -> dict[str, str]:
    """Affiliations as {key: text}, from a mapping or from a list of {id, name}."""
    result: dict[str, str] = {}
    if node is None or reader.is_null(node):
        return result
    if isinstance(node, MappingNode):
        reader.positions["affiliations"] = reader.positions.get("affiliations") or Location(reader.path)
        for key_node, value_node in node.value:
            key = str(key_node.value)
            value = reader.text(value_node, f"affiliations.{key}")
            if value is not None:
                result[key] = value
        return result
    if isinstance(node, SequenceNode):
        for item_path, item in reader.items(node, "affiliations", what="a list of affiliations"):
            entry = reader.mapping(item, item_path, {"id": True, "name": True}, what="an affiliation")
            key = reader.text(entry.get("id"), f"{item_path}.id")
            value = reader.text(entry.get("name"), f"{item_path}.name")
            if key is not None and value is not None:
                result[key] = value
        return result
    reader.error(node, "affiliations", "expected 'key: institution' lines or a list of {id, name}")
    return result
