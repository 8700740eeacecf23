"""Turn composed YAML into the review's model, checking every field against what it must be.

``read_review`` and ``read_study`` convert one file each (a study is checked
against the review's themes, vocabularies and declared fields);
``check_project`` checks what only the whole project shows: duplicate ids,
citation keys missing from ``bib/``, PRISMA totals against the study files.
All return problems instead of raising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Iterable, Sequence

from yaml.nodes import Node, ScalarNode

from charter.model import (REQUIRABLE_FIELDS, Bibliography, Column, Design, ExclusionReason, ExtraField, Location,
                    Participants, Prisma, Problem, Question, Review, Sample, Search, Source, Study, Subtheme, Term,
                    Theme, Validity)
from charter.suggest import closest, did_you_mean
from charter.wording import noun_for
from charter.sources.yaml_source import NodeReader, location

# ---------------------------------------------------------------------- review

REVIEW_FIELDS = {"title": True, "question": True, "type": False, "themes": False, "vocabularies": True,
                 "country_groups": False, "questions": False, "required_fields": False, "study_fields": False,
                 "table": False, "search": False, "prisma": False, "checklist": False,
                 "import": False}  # import: read by charter.start.importer (docs/import.md)
REVIEW_TYPES = ("scoping", "systematic")
EXTRA_FIELD_TYPES = ("text", "integer", "number", "choice", "list")
NUMERIC_TYPES = ("integer", "number")  # declared fields that get counts over their values (total, median, …)
TABLE_GROUPS = ("theme", "question", "none")
STUDY_LABELS = ("author-year", "citation")
# Table 1 columns a review may show besides its own declared fields.
TABLE_FIELDS = ("study", "research_question", "participants", "findings", "design", "validity")

PRISMA_COUNTS = ("database_records", "register_records", "duplicates", "excluded_automatic", "excluded_other",
                 "records_screened", "records_excluded", "dbr_sought_reports", "dbr_notretrieved_reports",
                 "dbr_assessed", "dbr_excluded", "other_sought_reports", "other_notretrieved_reports",
                 "other_assessed", "other_excluded", "previous_studies", "previous_reports", "new_studies",
                 "new_reports", "total_studies", "total_reports", "studies_without_files")
PRISMA_SOURCES = ("databases", "registers", "other_sources")
PRISMA_REASONS = ("dbr_excluded_reasons", "other_excluded_reasons")
PRISMA_FIELDS = {name: False for name in (*PRISMA_SOURCES, *PRISMA_COUNTS, *PRISMA_REASONS)}

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")
# What pandoc accepts after '@' in [@key]: a letter, digit or '_', then those or internal punctuation.
_CITATION_KEY = re.compile(r"[^\W][\w:.#$%&\-+?<>~/]*")
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")


def empty_review(path: str = "review.yaml") -> Review:
    """A review with nothing declared: what the project holds when review.yaml cannot be read."""
    return Review(title="", question="", review_type="scoping", themes=(), orientations=(),
                  country_groups=MappingProxyType({}), country_group_labels=MappingProxyType({}),
                  extra_fields=(), search=Search(), prisma=Prisma(), table_columns=(), source=Location(path))


def _unique_keys(reader: NodeReader, keyed: Sequence[tuple[str, str]], what: str) -> None:
    """Report a key used twice in a list of (field path of the key, key)."""
    first: dict[str, str] = {}
    for path, key in keyed:
        if key in first:
            line = reader.positions[first[key]].line
            reader.error(reader.positions[path], path, f"{what} '{key}' is declared twice (first at line {line}): "
                                                       "each needs its own key")
        else:
            first[key] = path


def _key(reader: NodeReader, node: Node | None, path: str, what: str) -> str | None:
    """A key that study files and placeholders refer to: letters, digits, '-' and '_'."""
    value = reader.text(node, path)
    if value is not None and not _KEY.fullmatch(value):
        reader.error(node, path, f"{what} '{value}' may contain only letters, digits, '-' and '_' "
                                 "(it is used in study files and placeholders such as {{ n.theme.a }})")
    return value


def _themes(reader: NodeReader, node: Node | None) -> tuple[Theme, ...]:
    themes: list[Theme] = []
    keyed: list[tuple[str, str]] = []
    order_path: dict[str, str] = {}  # theme key -> where its order is (or the theme, when implicit)
    before = len(reader.problems)
    for index, (path, item) in enumerate(reader.items(node, "themes", what="a list of themes")):
        fields = reader.mapping(item, path, {"key": True, "label": True, "order": False, "subthemes": False},
                                what="a theme")
        if not fields and item is not None:
            continue
        key = _key(reader, fields.get("key"), f"{path}.key", "a theme key")
        label = reader.text(fields.get("label"), f"{path}.label") or ""
        order = reader.integer(fields.get("order"), f"{path}.order", nullable=False)
        subthemes: list[Subtheme] = []
        sub_keyed: list[tuple[str, str]] = []
        for sub_path, sub in reader.items(fields.get("subthemes"), f"{path}.subthemes", what="a list of sub-themes"):
            sub_fields = reader.mapping(sub, sub_path, {"key": True, "label": True}, what="a sub-theme")
            sub_key = _key(reader, sub_fields.get("key"), f"{sub_path}.key", "a sub-theme key")
            if sub_key is not None:
                sub_keyed.append((f"{sub_path}.key", sub_key))
                if all(s.key != sub_key for s in subthemes):
                    subthemes.append(Subtheme(sub_key, reader.text(sub_fields.get("label"), f"{sub_path}.label")
                                              or ""))
        _unique_keys(reader, sub_keyed, "sub-theme")
        if key is not None:
            keyed.append((f"{path}.key", key))
            if all(t.key != key for t in themes):  # a second theme 'a' is reported below, not used
                themes.append(Theme(key, label, order if order is not None else index + 1, tuple(subthemes)))
                order_path[key] = f"{path}.order" if order is not None else path
    _unique_keys(reader, keyed, "theme")
    if node is not None and not themes and len(reader.problems) == before:
        reader.error(node, "themes", "declare at least one theme (key and label)")
    first_with: dict[int, str] = {}
    for theme in themes:
        if theme.order in first_with:
            path = order_path[theme.key]
            reader.error(reader.positions[path], path, f"themes '{first_with[theme.order]}' and '{theme.key}' both "
                         f"have order {theme.order}: give each theme its own order (or none: list order is used)")
        first_with.setdefault(theme.order, theme.key)
    return tuple(sorted(themes, key=lambda t: t.order))


def _orientations(reader: NodeReader, node: Node | None) -> tuple[Term, ...]:
    fields = reader.mapping(node, "vocabularies", {"orientation": True}, what="the vocabularies")
    terms: list[Term] = []
    keyed: list[tuple[str, str]] = []
    for path, item in reader.items(fields.get("orientation"), "vocabularies.orientation",
                                   what="a list of design orientations"):
        if isinstance(item, ScalarNode):  # shorthand: "- qualitative" is key and label at once
            key = _key(reader, item, path, "an orientation key")
            if key is not None:
                if all(t.key != key for t in terms):
                    terms.append(Term(key, key))
                keyed.append((path, key))
            continue
        term = reader.mapping(item, path, {"key": True, "label": True, "abbreviation": False},
                              what="a design orientation")
        key = _key(reader, term.get("key"), f"{path}.key", "an orientation key")
        if key is None:
            continue
        label = reader.text(term.get("label"), f"{path}.label") or key
        abbreviation = reader.text(term.get("abbreviation"), f"{path}.abbreviation", required=False)
        if all(t.key != key for t in terms):
            terms.append(Term(key, label, abbreviation))
        keyed.append((f"{path}.key", key))
    _unique_keys(reader, keyed, "orientation")
    return tuple(terms)


def _country_groups(reader: NodeReader, node: Node | None) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    groups: dict[str, tuple[str, ...]] = {}
    labels: dict[str, str] = {}
    if node is None or reader.is_null(node):
        return groups, labels
    group_nodes = reader.mapping(node, "country_groups", {}, check_unknown=False, what="country groups")
    where: dict[str, str] = {}
    for key, group_node in group_nodes.items():
        path = f"country_groups.{key}"
        if not _KEY.fullmatch(key):
            reader.error(group_node, path, f"a group key '{key}' may contain only letters, digits, '-' and '_'")
        fields = reader.mapping(group_node, path, {"label": False, "members": True}, what="a country group")
        labels[key] = reader.text(fields.get("label"), f"{path}.label") or key
        members = reader.text_list(fields.get("members"), f"{path}.members", what="a list of countries")
        for index, country in enumerate(members):
            if country in where and where[country] != key:
                reader.error(reader.positions[f"{path}.members.{index}"], f"{path}.members.{index}",
                             f"'{country}' is already in group '{where[country]}': a country belongs to one group")
            where.setdefault(country, key)
        groups[key] = members
    return groups, labels


# Every study's fields, and whether each must be present; a review may declare more (study_fields) and
# say which of REQUIRABLE_FIELDS it requires (required_fields). "theme" and "questions" are required
# exactly when the review declares themes or questions.
STUDY_FIELDS: dict[str, bool] = {
    "id": True, "reports": False, "theme": True, "subtheme": False, "questions": False, "country": True,
    "design": True, "research_question": True, "participants": True, "findings": True, "validity": True,
    "keywords": True}


def _extra_fields(reader: NodeReader, node: Node | None) -> tuple[ExtraField, ...]:
    extras: list[ExtraField] = []
    keyed: list[tuple[str, str]] = []
    for path, item in reader.items(node, "study_fields", what="a list of study fields"):
        fields = reader.mapping(item, path, {"name": True, "label": False, "type": True, "choices": False,
                                             "required": False}, what="a study field")
        name = reader.text(fields.get("name"), f"{path}.name")
        kind = reader.text(fields.get("type"), f"{path}.type")
        if name is None:
            continue
        if name in STUDY_FIELDS:
            reader.error(fields["name"], f"{path}.name", f"'{name}' is already a field of every study: "
                                                         "choose another name")
            continue
        if not _FIELD_NAME.fullmatch(name):
            reader.error(fields["name"], f"{path}.name", f"a field name '{name}' must be lower case letters, digits "
                                                         "and '_', starting with a letter (e.g. population)")
        if kind is not None and kind not in EXTRA_FIELD_TYPES:
            reader.error(fields["type"], f"{path}.type", f"expected one of {', '.join(EXTRA_FIELD_TYPES)} but got "
                                                         f"'{kind}'{did_you_mean(kind, EXTRA_FIELD_TYPES)}")
            kind = None
        choices = reader.text_list(fields.get("choices"), f"{path}.choices", what="a list of allowed values")
        if kind == "choice" and not choices:
            reader.error(fields.get("type"), f"{path}.choices", "a field of type choice needs its allowed "
                                                                "values: add choices: [first, second]")
        if choices and kind in ("text", *NUMERIC_TYPES):
            reader.error(fields["choices"], f"{path}.choices", f"choices apply only to type choice or list, "
                                                               f"not {kind}")
        required = reader.boolean(fields.get("required"), f"{path}.required")
        label = reader.text(fields.get("label"), f"{path}.label") or name
        keyed.append((f"{path}.name", name))
        if all(e.name != name for e in extras):
            extras.append(ExtraField(name, label, kind or "text", bool(required), choices))
    _unique_keys(reader, keyed, "study field")
    return tuple(extras)


@dataclass(frozen=True)
class _TableOptions:
    columns: tuple[Column, ...] = ()
    caption: str = ""
    note: str = ""
    questions: tuple[str, ...] = ()
    group_by: str = "theme"
    study_label: str = "author-year"


def _table(reader: NodeReader, node: Node | None, extras: Sequence[ExtraField], themes: Sequence[Theme],
           questions: Sequence[Question]) -> _TableOptions:
    fields = reader.mapping(node, "table", {"caption": False, "note": False, "columns": False, "questions": False,
                                            "group_by": False, "study_label": False}, what="Table 1")
    caption = reader.text(fields.get("caption"), "table.caption", required=False) or ""
    note = reader.text(fields.get("note"), "table.note", required=False) or ""
    shown = reader.text_list(fields.get("questions"), "table.questions", what="a list of question keys")
    keys = tuple(q.key for q in questions)
    for index, key in enumerate(shown):
        path = f"table.questions.{index}" if f"table.questions.{index}" in reader.positions else "table.questions"
        if key not in keys:
            declared = f"one of {', '.join(keys)}" if keys else "a key of questions: (none are declared)"
            reader.error(reader.positions[path], path, f"expected {declared} but got '{key}'"
                                                       f"{did_you_mean(key, keys)}")
    group_by = _choice(reader, fields.get("group_by"), "table.group_by", TABLE_GROUPS) or ""
    if group_by == "theme" and not themes:
        reader.error(fields["group_by"], "table.group_by", "review.yaml declares no themes: write group_by: none "
                                                           "(or question), or declare themes:")
    if group_by == "question" and not questions:
        reader.error(fields["group_by"], "table.group_by", "review.yaml declares no questions: write "
                                                           "group_by: none (or theme), or declare questions:")
    group_by = group_by or ("theme" if themes else "none")
    study_label = _choice(reader, fields.get("study_label"), "table.study_label", STUDY_LABELS) or "author-year"
    allowed = (*TABLE_FIELDS, *(e.name for e in extras))
    columns: list[Column] = []
    for path, item in reader.items(fields.get("columns"), "table.columns", what="a list of columns"):
        column = reader.mapping(item, path, {"field": True, "heading": True, "width": False}, what="a column")
        name = reader.text(column.get("field"), f"{path}.field")
        if name is not None and name not in allowed:
            reader.error(column["field"], f"{path}.field",
                         f"expected one of {', '.join(allowed)} but got '{name}'{did_you_mean(name, allowed)}")
        heading = reader.text(column.get("heading"), f"{path}.heading") or ""
        width = reader.number(column.get("width"), f"{path}.width")
        if width is not None and width <= 0:
            reader.error(column["width"], f"{path}.width", f"expected a width above 0 but got {width:g}")
            width = None
        if name is not None:
            columns.append(Column(name, heading, width))
    return _TableOptions(tuple(columns), caption, note, shown, group_by, study_label)


def _choice(reader: NodeReader, node: Node | None, path: str, allowed: Sequence[str]) -> str | None:
    value = reader.text(node, path, required=False)
    if value is not None and value not in allowed:
        reader.error(node, path, f"expected one of {', '.join(allowed)} but got '{value}'"
                                 f"{did_you_mean(value, allowed)}")
        return None
    return value


def _questions(reader: NodeReader, node: Node | None) -> tuple[Question, ...]:
    questions: list[Question] = []
    keyed: list[tuple[str, str]] = []
    for path, item in reader.items(node, "questions", what="a list of review questions"):
        fields = reader.mapping(item, path, {"key": True, "label": True, "short": False}, what="a review question")
        key = _key(reader, fields.get("key"), f"{path}.key", "a question key")
        label = reader.text(fields.get("label"), f"{path}.label") or ""
        short = reader.text(fields.get("short"), f"{path}.short", required=False)
        if key is not None:
            keyed.append((f"{path}.key", key))
            if all(q.key != key for q in questions):
                questions.append(Question(key, label, short))
    _unique_keys(reader, keyed, "question")
    return tuple(questions)


def _required_fields(reader: NodeReader, node: Node | None, extras: Sequence[ExtraField]) -> tuple[str, ...]:
    """The study fields every study file must have; today's list (all of them) unless review.yaml says."""
    if node is None:
        return REQUIRABLE_FIELDS
    names = reader.text_list(node, "required_fields", what="a list of study field names")
    allowed = (*REQUIRABLE_FIELDS, *(e.name for e in extras))
    for index, name in enumerate(names):
        path = f"required_fields.{index}"
        if name not in allowed:
            reader.error(reader.positions.get(path, reader.positions.get("required_fields")), path,
                         f"expected one of {', '.join(allowed)} but got '{name}'{did_you_mean(name, allowed)}")
    return tuple(n for n in names if n in allowed)


def _search(reader: NodeReader, node: Node | None) -> Search:
    names = ("databases", "date_from", "date_to", "last_search", "languages", "terms")
    fields = reader.mapping(node, "search", {name: False for name in names}, what="the search")

    def text(name: str) -> str | None:
        return reader.text(fields.get(name), f"search.{name}", required=False)

    def texts(name: str) -> tuple[str, ...]:
        return reader.text_list(fields.get(name), f"search.{name}")

    return Search(databases=texts("databases"), date_from=text("date_from"), date_to=text("date_to"),
                  last_search=text("last_search"), languages=texts("languages"), terms=texts("terms"))


def _checklist(reader: NodeReader, node: Node | None, review_type: str) -> dict[str, str]:
    """``checklist:``: reporting checklist item -> where it is reported (charter.submission.checklist reads the places)."""
    from charter.submission.checklist import item_numbers  # only when the field is used: the checklists are data files

    if node is None:
        return {}
    fields = reader.mapping(node, "checklist", {}, what="checklist item: where it is reported", check_unknown=False)
    known = item_numbers(review_type if review_type in REVIEW_TYPES else "scoping")
    places = {}
    for item, value in fields.items():
        if item not in known:
            reader.error(location(reader.path, value), f"checklist.{item}",
                         f"'{item}' is not an item of the {review_type} review's checklist"
                         f"{did_you_mean(item, known)}; items are {', '.join(known)}")
            continue
        text = reader.text(value, f"checklist.{item}")
        if text:
            places[item] = text
    return places


def _named_numbers(reader: NodeReader, node: Node | None, path: str, label: str, number: str, what: str,
                   make: Callable[[str, int | None], object]) -> tuple:
    """A list of {label, number} mappings (the records of each source, the count of each exclusion reason);
    an item without its label is reported and left out."""
    found = []
    for item_path, item in reader.items(node, path, what=f"a list of {{{label}, {number}}}"):
        entry = reader.mapping(item, item_path, {label: True, number: False}, what=what)
        text = reader.text(entry.get(label), f"{item_path}.{label}")
        if text is not None:
            found.append(make(text, reader.integer(entry.get(number), f"{item_path}.{number}")))
    return tuple(found)


def _prisma(reader: NodeReader, node: Node | None) -> Prisma:
    fields = reader.mapping(node, "prisma", PRISMA_FIELDS, what="the PRISMA flow numbers")
    values: dict[str, object] = {}
    for name in PRISMA_COUNTS:
        values[name] = reader.integer(fields.get(name), f"prisma.{name}")
    for name in PRISMA_SOURCES:
        values[name] = _named_numbers(reader, fields.get(name), f"prisma.{name}", "name", "records", "a source",
                                      Source)
    for name in PRISMA_REASONS:
        values[name] = _named_numbers(reader, fields.get(name), f"prisma.{name}", "reason", "count",
                                      "an exclusion reason", ExclusionReason)
    positions = {path: where for path, where in reader.positions.items() if path.startswith("prisma.")}
    return Prisma(**values, positions=MappingProxyType(positions))


def read_review(path: str, node: Node) -> tuple[Review, list[Problem]]:
    """Convert the composed review.yaml into a Review; report everything wrong with it."""
    reader = NodeReader(path)
    fields = reader.mapping(node, "", REVIEW_FIELDS, what="review.yaml")
    title = reader.text(fields.get("title"), "title") or ""
    question = reader.text(fields.get("question"), "question") or ""
    review_type = reader.text(fields.get("type"), "type") or "scoping"
    if "type" in fields and review_type not in REVIEW_TYPES:
        reader.error(fields["type"], "type", f"expected one of {', '.join(REVIEW_TYPES)} but got "
                                             f"'{review_type}'{did_you_mean(review_type, REVIEW_TYPES)}")
    themes = _themes(reader, fields.get("themes")) if "themes" in fields else ()
    orientations = _orientations(reader, fields.get("vocabularies"))
    groups, labels = _country_groups(reader, fields.get("country_groups"))
    questions = _questions(reader, fields.get("questions"))
    extras = _extra_fields(reader, fields.get("study_fields"))
    required = _required_fields(reader, fields.get("required_fields"), extras)
    table = _table(reader, fields.get("table"), extras, themes, questions)
    search = _search(reader, fields.get("search"))
    prisma = _prisma(reader, fields.get("prisma"))
    checklist = _checklist(reader, fields.get("checklist"), review_type)
    review = Review(title=title, question=question, review_type=review_type, themes=themes,
                    orientations=orientations, country_groups=MappingProxyType(groups),
                    country_group_labels=MappingProxyType(labels), extra_fields=extras, search=search,
                    prisma=prisma, table_columns=table.columns, table_caption=table.caption,
                    table_note=table.note, questions=questions, required_fields=required,
                    table_questions=table.questions, table_group_by=table.group_by,
                    table_study_label=table.study_label, checklist=MappingProxyType(checklist),
                    source=Location(path),
                    positions=MappingProxyType(dict(reader.positions)))
    return review, reader.problems


def unreliable_sections(review_problems: Iterable[Problem]) -> frozenset[str]:
    """The review.yaml sections with an error; studies are not checked against those (no cascade of messages)."""
    sections = set()
    for problem in review_problems:
        if problem.severity != "error":
            continue
        top = problem.field.split(".")[0]
        sections.add(top if top in REVIEW_FIELDS else (closest(top, REVIEW_FIELDS) or top))
    return frozenset(sections)


# --------------------------------------------------------------------- studies

# What authors type for a value the study does not report; null says it without printing it in Table 1.
NOT_REPORTED_TEXTS = frozenset(("nr", "n.r.", "n/a", "na", "n.a.", "not reported", "not stated", "unknown", "-",
                                "–", "—", "?", ""))


class _Vocabulary:
    """What a study may refer to, precomputed once for all study files."""

    def __init__(self, review: Review):
        self.review = review
        self.themes = {t.key: t for t in review.themes}
        self.theme_keys = tuple(self.themes)
        self.question_keys = tuple(q.key for q in review.questions)
        self.orientations = tuple(t.key for t in review.orientations)
        self.orientation_by_label = {t.label.casefold(): t.key for t in review.orientations}
        self.group_of = {c: g for g, members in review.country_groups.items() for c in members}
        self.countries = tuple(self.group_of)
        self.extras = {e.name: e for e in review.extra_fields}
        required = set(review.required_fields)
        self.fields = {**STUDY_FIELDS, **{name: name in required for name in REQUIRABLE_FIELDS},
                       "theme": bool(review.themes), "questions": bool(review.questions),
                       **{e.name: e.required or e.name in required for e in review.extra_fields}}


def _one_of(reader: NodeReader, node: Node | None, path: str, value: str | None, allowed: Sequence[str],
            what: str, labels: dict[str, str] | None = None) -> None:
    """Report a value outside its vocabulary, naming the allowed values and the nearest one."""
    if value is None or value in allowed:
        return
    near = (labels or {}).get(value.casefold())
    hint = f" (did you mean '{near}'? write the key, not the label)" if near else did_you_mean(value, allowed)
    choices = ", ".join(allowed) if allowed else "(none declared)"
    reader.error(node, path, f"expected one of {choices} ({what}) but got '{value}'{hint}")


def _reported(reader: NodeReader, node: Node | None, path: str) -> str | None:
    """A text that may be null (not reported); 'NR', 'N/A', '' and the like are read as null, with a warning."""
    value = reader.text(node, path, required=False)
    if value is not None and value.strip().casefold() in NOT_REPORTED_TEXTS:
        reader.error(node, path, f"'{value}' looks like \"not reported\"; write null instead", severity="warning")
        return None
    return value


def _looks_not_reported(reader: NodeReader, node: Node | None, path: str) -> bool:
    """Whether a number field holds 'NR', 'N/A' and the like; warn with the fix (null) when it does."""
    if not isinstance(node, ScalarNode) or reader.is_null(node) or \
            node.value.strip().casefold() not in NOT_REPORTED_TEXTS:
        return False
    reader.positions[path] = location(reader.path, node)
    reader.error(node, path, f"'{node.value}' looks like \"not reported\"; write null instead", severity="warning")
    return True


def _count_or_null(reader: NodeReader, node: Node | None, path: str, what: str) -> int | None:
    """A whole number, or None for null (or 'NR'-like text, with a warning)."""
    if _looks_not_reported(reader, node, path):
        return None
    return reader.integer(node, path, nullable=True, what=what)


def _reported_list(reader: NodeReader, node: Node | None, path: str, *, single: bool = False,
                   what: str = "a list of texts") -> tuple[str, ...]:
    """A list of texts that may be null (= not reported, an empty tuple); 'NR'-like items warn and are left out."""
    if node is None or reader.is_null(node):
        if node is not None:
            reader.positions[path] = location(reader.path, node)
        return ()
    if single and isinstance(node, ScalarNode):
        value = _reported(reader, node, path)
        return (value,) if value is not None else ()
    values = (_reported(reader, item, item_path) for item_path, item in reader.items(node, path, what=what))
    return tuple(v for v in values if v is not None)


def _mapping_or_null(reader: NodeReader, node: Node | None, path: str, fields: dict[str, bool],
                     what: str) -> dict[str, Node] | None:
    """The fields of a mapping; None when the whole value is null (not reported)."""
    if node is not None and reader.is_null(node):
        reader.positions[path] = location(reader.path, node)
        return None
    return reader.mapping(node, path, fields, what=what)


def _participants(reader: NodeReader, node: Node | None) -> Participants:
    """Who was studied: a description, n, and optionally samples whose n add up to the study's total."""
    fields = _mapping_or_null(reader, node, "participants", {"description": True, "n": False, "samples": False},
                              what="the participants (description, n)")
    if fields is None:
        return Participants(None)
    description = _reported(reader, fields.get("description"), "participants.description")
    n = _count_or_null(reader, fields.get("n"), "participants.n", "the number of participants as a whole number")
    samples = []
    for path, item in reader.items(fields.get("samples"), "participants.samples",
                                   what="a list of samples, each {description: …, n: …}"):
        sample = reader.mapping(item, path, {"description": True, "n": True},
                                what="a sample (description, n)")
        samples.append(Sample(_reported(reader, sample.get("description"), f"{path}.description"),
                              _count_or_null(reader, sample.get("n"), f"{path}.n",
                                             "the sample's number of participants as a whole number")))
    if not samples:
        return Participants(description, n)
    known = [s.n for s in samples if s.n is not None]
    fix = "the total is computed from the samples: remove this n, or correct the numbers"
    if n is not None and len(known) == len(samples) and sum(known) != n:
        parts = " + ".join(str(k) for k in known)
        reader.error(fields.get("n"), "participants.n", f"says {n} but the samples add up to {sum(known)} "
                                                        f"({parts}); {fix}")
    elif n is not None and sum(known) > n:
        which = noun_for(len(known), "sample that reports", "samples that report")
        reader.error(fields.get("n"), "participants.n", f"says {n}, fewer than the {sum(known)} in the {which} n; "
                                                        f"{fix}")
    if n is None and len(known) == len(samples):
        n = sum(known)
    return Participants(description, n, tuple(samples))


def read_study(path: str, stem: str, node: Node, review: Review | None,
               unreliable: frozenset[str] = frozenset()) -> tuple[Study, list[Problem]]:
    """Convert one composed study file; check it against the review when the review could be read.

    Any field but the id, theme and questions may be null (not reported).
    ``unreliable`` names review.yaml sections that have errors (see
    ``unreliable_sections``): values are not checked against those.
    """
    reader = NodeReader(path)
    vocabulary = _Vocabulary(review) if review is not None else None  # small: cheaper to build than to cache
    known = vocabulary.fields if vocabulary else STUDY_FIELDS
    fields = reader.mapping(node, "", known, what="a study file",
                            check_unknown=vocabulary is not None and "study_fields" not in unreliable)

    study_id = reader.text(fields.get("id"), "id")
    if study_id is not None and study_id != stem:
        reader.error(fields["id"], "id", f"the id '{study_id}' differs from the file name '{stem}.yaml': "
                                         f"rename the file to {study_id}.yaml or write id: {stem}")
    reports = reader.text_list(fields.get("reports"), "reports", what="a list of citation keys")
    for key_path, key in (("id", study_id), *((f"reports.{i}", k) for i, k in enumerate(reports))):
        if key is not None and not _CITATION_KEY.fullmatch(key):
            reader.error(reader.positions.get(key_path), key_path, f"'{key}' cannot be a citation key (the manuscript cites "
                         "it as [@key]): use letters, digits and _ - : . / only, e.g. smith2020")

    theme = reader.text(fields.get("theme"), "theme")
    subtheme = reader.text(fields.get("subtheme"), "subtheme", required=False)
    questions = reader.text_list(fields.get("questions"), "questions", what="a list of question keys")
    if "questions" in fields and not questions and not any(p.field.startswith("questions") for p in reader.problems):
        reader.error(fields["questions"], "questions", "expected the keys of the review questions this study "
                                                       "addresses, e.g. questions: [q1]")
    countries = _reported_list(reader, fields.get("country"), "country", single=True,
                               what="a country or a list of countries")
    if "country" in fields and not reader.is_null(fields["country"]) and not countries \
            and not any(p.field.startswith("country") for p in reader.problems):
        reader.error(fields["country"], "country", "expected a country or a list of countries but the list is "
                                                   "empty; write null when the study does not report it")

    design = _mapping_or_null(reader, fields.get("design"), "design", {"orientation": True, "method": True},
                              what="the design (orientation, method)") or {}
    orientation = _reported(reader, design.get("orientation"), "design.orientation")
    method = _reported(reader, design.get("method"), "design.method")
    question = _reported(reader, fields.get("research_question"), "research_question")
    participants = _participants(reader, fields.get("participants"))
    findings = _reported_list(reader, fields.get("findings"), "findings", what="a list of findings")
    if "findings" in fields and not reader.is_null(fields["findings"]) and not findings \
            and not any(p.field.startswith("findings") for p in reader.problems):
        reader.error(fields["findings"], "findings", "expected at least one finding, one '- statement' per line; "
                                                     "write null when the study reports none")
    validity_fields = _mapping_or_null(reader, fields.get("validity"), "validity",
                                       {"internal": True, "external": True},
                                       what="the validity (internal, external)")
    validity = None if validity_fields is None or "validity" not in fields else Validity(
        _reported(reader, validity_fields.get("internal"), "validity.internal"),
        _reported(reader, validity_fields.get("external"), "validity.external"))
    keywords = _reported_list(reader, fields.get("keywords"), "keywords", what="a list of keywords")

    extra: dict[str, object] = {}
    if vocabulary is not None:
        _check_vocabulary(reader, fields, vocabulary, theme, subtheme, questions, orientation, design, countries,
                          unreliable)
        for name, declared in vocabulary.extras.items():
            if name in fields and "study_fields" not in unreliable:
                extra[name] = _extra_value(reader, fields[name], declared)

    study = Study(id=study_id or stem, theme=theme, subtheme=subtheme, countries=countries,
                  design=Design(orientation, method), research_question=question,
                  participants=participants, findings=findings, validity=validity, keywords=keywords,
                  questions=questions, reports=reports, extra=MappingProxyType(extra), source=Location(path),
                  positions=MappingProxyType(reader.positions))
    return study, reader.problems


def _check_vocabulary(reader: NodeReader, fields: dict[str, Node], vocabulary: _Vocabulary, theme: str | None,
                      subtheme: str | None, questions: Sequence[str], orientation: str | None,
                      design: dict[str, Node], countries: Sequence[str], unreliable: frozenset[str]) -> None:
    if "themes" not in unreliable:
        if not vocabulary.themes and theme is not None:
            reader.error(fields["theme"], "theme", "review.yaml declares no themes: remove the theme line, or "
                                                   "declare the themes in review.yaml")
        elif vocabulary.themes:
            theme_labels = {t.label.casefold(): t.key for t in vocabulary.themes.values()}
            _one_of(reader, fields.get("theme"), "theme", theme, vocabulary.theme_keys,
                    "the theme keys in review.yaml", theme_labels)
    declared = vocabulary.themes.get(theme or "")
    if subtheme is not None and declared is not None and "themes" not in unreliable:
        keys = tuple(s.key for s in declared.subthemes)
        if not keys:
            reader.error(fields["subtheme"], "subtheme", f"theme '{declared.key}' has no sub-themes in review.yaml: "
                                                         "remove the subtheme line or declare it under the theme")
        elif subtheme not in keys:
            elsewhere = [t.key for t in vocabulary.themes.values() if any(s.key == subtheme for s in t.subthemes)]
            hint = (f" ('{subtheme}' is a sub-theme of theme '{elsewhere[0]}': check the theme)" if elsewhere
                    else did_you_mean(subtheme, keys))
            reader.error(fields["subtheme"], "subtheme",
                         f"expected one of {', '.join(keys)} (the sub-themes of theme '{declared.key}') "
                         f"but got '{subtheme}'{hint}")
    if "questions" not in unreliable and questions:
        if not vocabulary.question_keys:
            reader.error(fields["questions"], "questions", "review.yaml declares no questions: remove the "
                                                           "questions line, or declare the questions in review.yaml")
        else:
            for index, key in enumerate(questions):
                where = f"questions.{index}" if f"questions.{index}" in reader.positions else "questions"
                _one_of(reader, reader.positions.get(where), where, key, vocabulary.question_keys,
                        "the question keys in review.yaml")
    if "vocabularies" not in unreliable:
        _one_of(reader, design.get("orientation"), "design.orientation", orientation, vocabulary.orientations,
                "vocabularies.orientation in review.yaml", vocabulary.orientation_by_label)
    if vocabulary.group_of and "country_groups" not in unreliable:
        for index, country in enumerate(countries):
            if country not in vocabulary.group_of:
                path = "country" if f"country.{index}" not in reader.positions else f"country.{index}"
                groups = ", ".join(vocabulary.review.country_groups)
                reader.error(reader.positions[path], path,
                             f"'{country}' is in no country group of review.yaml ({groups})"
                             f"{did_you_mean(country, vocabulary.countries)}; add it to the members of one group",
                             severity="warning")


def _extra_value(reader: NodeReader, node: Node, declared: ExtraField) -> object:
    name = declared.name
    if declared.type in NUMERIC_TYPES and _looks_not_reported(reader, node, name):
        return None
    if declared.type == "integer":
        return reader.integer(node, name)
    if declared.type == "number":
        value = reader.number(node, name)
        return int(value) if value is not None and value.is_integer() else value
    if declared.type == "list":
        values = _reported_list(reader, node, name)
        if declared.choices:
            for index, value in enumerate(values):
                _one_of(reader, reader.positions.get(f"{name}.{index}"), f"{name}.{index}", value,
                        declared.choices, f"study_fields '{name}' in review.yaml")
        return values
    value = _reported(reader, node, name)
    if declared.type == "choice":
        _one_of(reader, node, name, value, declared.choices, f"study_fields '{name}' in review.yaml")
    return value


# --------------------------------------------------------------------- project


def check_project(review: Review | None, studies: Sequence[Study], bibliography: Bibliography,
                  bib_loaded: bool = True, all_studies_read: bool = True) -> list[Problem]:
    """Check what only the whole project shows: ids, citation keys, the PRISMA count of reports.

    With ``all_studies_read`` false (a study file could not be read), the
    reports are not counted: the file's own problem says what to fix first.
    """
    problems: list[Problem] = []

    def at(study: Study, path: str) -> Location:
        return study.positions.get(path, study.source)

    owner: dict[str, Study] = {}
    for study in studies:
        if study.id in owner:
            other = owner[study.id]
            problems.append(Problem(at(study, "id"), "id", f"the id '{study.id}' is also used by "
                                    f"{other.source.path}: each study needs its own id"))
        else:
            owner[study.id] = study
    for study in studies:
        for index, key in enumerate(study.reports):
            if key in owner or key == study.id:
                whose = "this study's own id" if key == study.id else f"the id of {owner[key].source.path}"
                problems.append(Problem(at(study, f"reports.{index}"), f"reports.{index}",
                                        f"'{key}' is {whose}: list here only further reports of this study"))

    if bib_loaded:
        keys = tuple(bibliography.references)
        for study in studies:
            for path, key in (("id", study.id), *((f"reports.{i}", k) for i, k in enumerate(study.reports))):
                if key not in bibliography.references and _CITATION_KEY.fullmatch(key):
                    files = ", ".join(bibliography.files) or "bib/"
                    problems.append(Problem(at(study, path), path, f"citation key '{key}' is not in bib/ "
                                            f"({files}){did_you_mean(key, keys)}: add its entry, "
                                            f"e.g. @article{{{key}, author = {{…}}, title = {{…}}, year = {{…}}}}"))

    # prisma.total_studies against the study files is checked with the rest of the
    # PRISMA arithmetic (charter.document.prisma.check_arithmetic); the reports are ours.
    if review is not None and all_studies_read and review.prisma.total_reports is not None:
        prisma = review.prisma
        reports = sum(len(s.citation_keys) for s in studies)
        if prisma.studies_without_files:  # their reports are not in any study file: a lower bound only
            if prisma.total_reports < reports:
                problems.append(Problem(prisma.positions.get("prisma.total_reports", review.source),
                                        "prisma.total_reports",
                                        f"review.yaml says {prisma.total_reports} reports of included studies but "
                                        f"the study files alone name {reports} (their ids plus their reports: "
                                        "lists); correct the number"))
        elif prisma.total_reports != reports:
            problems.append(Problem(prisma.positions.get("prisma.total_reports", review.source),
                                    "prisma.total_reports",
                                    f"review.yaml says {prisma.total_reports} reports of included studies but the "
                                    f"study files name {reports} (their ids plus their reports: lists); correct the "
                                    "number, or list each further paper of a study under its reports:"))
    return problems


def sort_problems(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """Order problems by file, then line, then column, so each file's mistakes read top to bottom."""
    return tuple(sorted(problems, key=lambda p: (p.location.path, p.location.line, p.location.column)))
