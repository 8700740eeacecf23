"""Read YAML strictly: bytes → text → node tree → plain values, with a Problem for every mistake.

PyYAML's ``yaml.load`` is too forgiving for review data: it keeps the last of two
duplicate keys, reads ``country: NO`` as *false* and ``2020-01`` as a date, and
with an unsafe loader will construct Python objects. So we only *compose* the
node tree (with a safe loader: no object is ever constructed) and convert the
nodes ourselves, driven by what each field expects. A text field takes the
scalar exactly as the author typed it; a number field requires a plain whole
number. Anchors and aliases (``&name`` / ``*name``) are refused: review data is
short, and a value written out in full is one a co-author can read.
"""

from __future__ import annotations

import re
from pathlib import Path
from dataclasses import dataclass, field
from typing import Mapping

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from charter import limits
from charter.model import Location, Problem
from charter.paths import refuse_outside
from charter.suggest import closest

_TAG = "tag:yaml.org,2002:"
_NULL_WORDS = frozenset(("", "~", "null", "Null", "NULL"))


# Unknown fields reported one by one in one mapping; a file with 100,000 stray keys gets one more line, not
# 100,000 (and no spelling search for each).
UNKNOWN_FIELDS_REPORTED = 20

class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # the C composer is ~10x faster
    """A safe composer that tags a plain scalar only as null or text.

    We read numbers and true/false ourselves from the text as typed, so the
    YAML 1.1 guessing of int/float/bool/timestamp tags is wasted work (a third
    of the load time of a big review) and, worse, a source of surprises.
    """

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode and implicit[0]:
            return _TAG + "null" if value in _NULL_WORDS else _TAG + "str"
        return super().resolve(kind, value, implicit)


_LOADER = _Loader
# Tags a safe, plain YAML file can produce by itself (implicit resolution) or an
# author may write (``!!str 0042``). Anything else (``!!python/object``,
# ``!!binary``, ``!!set``, a local ``!tag``) is refused.
_ALLOWED_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]{1,15}(\.[0-9]{0,15})?|\.[0-9]{1,15})")
_COUNT_DIGITS = len(str(limits.COUNT_MAX))


def location(path: str, node: Node) -> Location:
    """The 1-based place where a node starts."""
    mark = node.start_mark
    return Location(path, mark.line + 1, mark.column + 1)


def decode(path: str, data: bytes, limit: int = limits.YAML_FILE_BYTES,
           what: str = "a YAML file") -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 (a leading BOM is dropped); report the line of the first byte that is not UTF-8.

    A file over ``limit`` bytes is refused before it is decoded (``what`` names the kind of file).
    """
    oversize = limits.too_big(len(data), limit, what)
    if oversize:
        return None, [Problem(Location(path, 1, 1), "", oversize)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        message = (f"the file is not UTF-8 text: byte 0x{data[error.start]:02x} at line {line} cannot be read; "
                   "save the file with UTF-8 encoding (in most editors: Save As → Encoding → UTF-8)")
        return None, [Problem(Location(path, line, column), "", message)]
    return text.removeprefix("\ufeff"), []


def _tab_problems(path: str, text: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        column = line.find("\t")
        if column < 0:
            continue
        where = "indent with spaces" if not line[:column].strip() else "replace it with spaces"
        problems.append(Problem(Location(path, number, column + 1), "",
                                f"tab character at line {number}: {where}"))
    return problems


# Plain-language hints for the syntax errors authors meet most.
_SYNTAX_HINTS = (
    ("mapping values are not allowed",
     "a text containing ': ' must be put in quotes, e.g. method: \"Survey: two waves\"; "
     "or check that this field starts in the same column as the fields around it"),
    ("but found another document", "a file holds one document: remove the '---' line"),
    ("could not find expected ':'", "each line must be 'field: value'; check the line above for a missing ':'"),
    ("did not find expected key", "check the indentation: fields of one block must start in the same column"),
    ("did not find expected '-' indicator", "check the indentation of the list items"),
    ("found undefined alias", "aliases (*name) are not allowed: write the value out in full"),
    ("while scanning a quoted scalar", "this quote is never closed: add the closing quote at the end of the "
     "value"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
)


_FLOW_BRACKET = re.compile(r"[\[\]{}]")
_COMPACT_LIST = re.compile(r"(?m)^[ ]*(?:-[ ]+){%d,}" % (limits.YAML_NESTING_DEPTH + 1))


def _nesting_problem(path: str, text: str) -> Problem | None:
    """Lists and mappings nested deeper than any review needs (the composer would crash the process)."""
    limit = limits.YAML_NESTING_DEPTH
    message = (f"lists and mappings are nested more than {limit} levels deep here, over Charter's limit of {limit} "
               "(review data needs a few); check the brackets and the '- ' at the start of the line")
    if text.count("[") + text.count("{") > limit:
        depth = 0
        for match in _FLOW_BRACKET.finditer(text):
            depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
            if depth > limit:
                line = text.count("\n", 0, match.start()) + 1
                return Problem(Location(path, line, match.start() - text.rfind("\n", 0, match.start())), "", message)
    if text.count("- ") > limit:
        match = _COMPACT_LIST.search(text)
        if match:
            return Problem(Location(path, text.count("\n", 0, match.start()) + 1, 1), "", message)
    return None


def compose(path: str, text: str) -> tuple[Node | None, list[Problem]]:
    """Compose the text into a node tree without constructing anything; report tabs and syntax errors."""
    problems = _tab_problems(path, text) if "\t" in text else []
    too_deep = _nesting_problem(path, text)
    if too_deep is not None:
        return None, [*problems, too_deep]
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if error.context_mark is not None and "while scanning a quoted scalar" in str(error.context):
            mark = error.context_mark  # the quote that is never closed, not the end of the file
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        if problems and any(p.location.line in (line, line - 1) for p in problems):
            return None, problems  # the tab is the cause; say it once
        opened = _unclosed_quote(text, line)
        if opened is not None:
            problems.append(Problem(Location(path, *opened), "", f"YAML syntax error: the quote opened at line "
                                    f"{opened[0]} is never closed, so the lines after it were read as part of this "
                                    "text; add the closing quote at the end of the value"))
            return None, problems
        what = error.problem or "not valid YAML"
        if what.startswith("but ") and error.context:  # "expected a single document … but found another"
            what = f"{error.context} {what}"
        hint = next((h for key, h in _SYNTAX_HINTS if key in str(error)), "")
        context = f" ({error.context})" if error.context and not hint and error.context not in what else ""
        message = f"YAML syntax error: {what}{context}" + (f"; {hint}" if hint else "")
        problems.append(Problem(Location(path, line, column), "", message))
        return None, problems
    except yaml.reader.ReaderError as error:  # a control character: invisible in most editors
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)
        problems.append(Problem(Location(path, line, column), "",
                                f"invisible control character U+{code:04X} at line {line}: delete it "
                                "(it often comes with text pasted from a PDF or a word processor)"))
        return None, problems
    except yaml.YAMLError as error:
        problems.append(Problem(Location(path, 1, 1), "", f"not valid YAML: {error}"))
        return None, problems
    if node is not None and "&" in text:  # no anchor, no alias: skip the walk
        aliases = _alias_problems(path, node)
        if aliases:
            return None, problems + aliases
    return node, problems


_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s#'"][^:#]*:\s+)?(?P<quote>["'])""")
_FIELD_LINE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w.-]*:(?:\s|$)")


def _unclosed_quote(text: str, error_line: int) -> tuple[int, int] | None:
    """(line, column) of a quoted value before error_line that is not closed on its own line and swallowed
    the field lines after it — the usual cause of a syntax error reported many lines too late."""
    lines = text.split("\n")[:max(error_line - 1, 0)]
    for number in range(len(lines) - 1, -1, -1):
        match = _QUOTED_VALUE.match(lines[number])
        if not match:
            continue
        quote, rest = match.group("quote"), lines[number][match.end():]
        closed = rest.replace("''", "").count("'") if quote == "'" else len(re.findall(r'(?<!\\)"', rest))
        if closed:
            continue
        swallowed = lines[number + 1:]
        if any(_FIELD_LINE.match(line) for line in swallowed):
            return number + 1, match.end("quote")
        return None
    return None


def _alias_problems(path: str, root: Node) -> list[Problem]:
    """Report each place a value is reused through an alias (*name), at the place of reuse."""
    seen: set[int] = set()
    problems: list[Problem] = []
    stack: list[tuple[Node, str, Node]] = [(root, "", root)]  # (node, field path, where it is written)
    while stack:
        node, field_path, written = stack.pop()
        if id(node) in seen:
            problems.append(Problem(location(path, written), field_path,
                                    "this value repeats an anchored value through an alias (*name); anchors and "
                                    "aliases are not allowed: write the value out in full"))
            continue
        seen.add(id(node))
        prefix = f"{field_path}." if field_path else ""
        if isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                stack.append((value, prefix + str(getattr(key, "value", "?")), key))
        elif isinstance(node, SequenceNode):
            for index in reversed(range(len(node.value))):
                stack.append((node.value[index], f"{prefix}{index}", node.value[index]))
    return sorted(problems, key=lambda p: (p.location.line, p.location.column))


def _describe(node: Node) -> str:
    """Say what the author wrote, for 'expected … but got …'."""
    if isinstance(node, MappingNode):
        return "a mapping (field: value lines)"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _TAG + "null":
        return "nothing (null)"
    return f"'{node.value}'"


@dataclass
class NodeReader:
    """Convert the nodes of one file into plain values, collecting problems and positions.

    Field paths are dotted, list items by 0-based index: ``findings.2``,
    ``design.orientation``, ``prisma.dbr_assessed``.
    """

    path: str
    problems: list[Problem] = field(default_factory=list)
    positions: dict[str, Location] = field(default_factory=dict)

    # ------------------------------------------------------------ reporting

    def error(self, node: Node | Location | None, field_path: str, message: str, severity: str = "error") -> None:
        if isinstance(node, Location):
            where = node
        elif node is None:
            where = Location(self.path, 1, 1)
        else:
            where = location(self.path, node)
        self.problems.append(Problem(where, field_path, message, severity))

    def _accept(self, node: Node, field_path: str) -> bool:
        """Record where the value is; refuse tags we do not allow (aliases were refused by compose)."""
        self.positions[field_path] = location(self.path, node)
        if node.tag not in _ALLOWED_TAGS:
            self.error(node, field_path, f"tag '{node.tag.replace(_TAG, '!!')}' is not allowed: "
                       "write plain text, numbers, lists and field: value mappings")
            return False
        return True

    # ------------------------------------------------------------- mappings

    def mapping(self, node: Node | None, field_path: str, fields: Mapping[str, bool],
                *, what: str = "", check_unknown: bool = True) -> dict[str, Node]:
        """Return {field: value node} of a mapping node; report duplicates, unknown and missing fields.

        ``fields`` maps each known field to whether it is required. With
        ``check_unknown`` false any other field is passed through silently.
        """
        if node is None:
            return {}
        if not self._accept(node, field_path):
            return {}
        if not isinstance(node, MappingNode):
            label = f" ({what})" if what else ""
            self.error(node, field_path, f"expected field: value lines{label} but got {_describe(node)}")
            return {}
        known = set(fields)
        found: dict[str, Node] = {}
        first_line: dict[str, int] = {}
        misspelt: set[str] = set()  # required fields an unknown key probably meant: one message is enough
        prefix = f"{field_path}." if field_path else ""
        unknown: list[Node] = []  # past UNKNOWN_FIELDS_REPORTED: counted, one message, no spelling search
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.error(key_node, field_path, f"expected a field name but got {_describe(key_node)}")
                continue
            key = key_node.value
            if key in found:
                lines = f"{first_line[key]} and {key_node.start_mark.line + 1}"
                self.error(key_node, prefix + key, f"duplicate field '{key}' at lines {lines}: keep only one "
                           "(YAML readers silently keep the last)")
                continue
            first_line[key] = key_node.start_mark.line + 1
            if check_unknown and key not in known and len(unknown) >= UNKNOWN_FIELDS_REPORTED:
                unknown.append(key_node)
                continue
            if check_unknown and key not in known:
                unknown.append(key_node)
                choices = sorted(known)
                meant = closest(key, choices)
                hint = f" (did you mean '{meant}'?)" if meant else ""
                if meant:
                    misspelt.add(meant)
                listing = "" if hint else f"; expected one of: {', '.join(choices)}"
                self.error(key_node, prefix + key, f"unknown field '{key}'{hint}{listing}")
                continue
            found[key] = value_node
        if len(unknown) > UNKNOWN_FIELDS_REPORTED:
            more = len(unknown) - UNKNOWN_FIELDS_REPORTED
            self.error(unknown[UNKNOWN_FIELDS_REPORTED], field_path, f"{more:,} more unknown fields from here on "
                       f"(not listed one by one); expected one of: {', '.join(sorted(known))}")
        for name, required in fields.items():
            if required and name not in found and name not in first_line and name not in misspelt:
                where = f" in {what}" if what else ""
                parent = field_path.rsplit(".", 1)[-1]
                fix = (f"add a line '{name}: …'" if not field_path else
                       f"add '{name}: …' to this item" if parent.isdigit() else
                       f"add '{name}: …' under '{parent}:'")
                self.error(node, prefix + name, f"missing required field '{name}'{where}: {fix}")
        return found

    # --------------------------------------------------------------- values

    def is_null(self, node: Node | None) -> bool:
        return node is None or (isinstance(node, ScalarNode) and node.tag == _TAG + "null")

    def text(self, node: Node | None, field_path: str, *, required: bool = True, what: str = "text") -> str | None:
        """The scalar exactly as typed ('NO' stays 'NO'); None when empty and not required."""
        if node is None:
            return None
        if not self._accept(node, field_path):
            return None
        if not isinstance(node, ScalarNode):
            self.error(node, field_path, f"expected {what} but got {_describe(node)}")
            return None
        if node.tag == _TAG + "null" or (not node.value.strip() and not node.style):
            if required:
                self.error(node, field_path, f"expected {what} but the value is empty")
            return None
        value = node.value
        if node.style in ("|", ">"):
            value = value.rstrip("\n")  # the block's final line break is layout, not content
        if len(value) > limits.TEXT_CHARACTERS:
            self.error(node, field_path, f"the text is {len(value):,} characters long, over Charter's limit of "
                       f"{limits.TEXT_CHARACTERS:,} for one value; shorten it (a table cell or an abstract needs "
                       "far less) or move long text into the manuscript's sections")
            return None
        if required and not value.strip():
            self.error(node, field_path, f"expected {what} but the value is empty")
            return None
        return value

    def integer(self, node: Node | None, field_path: str, *, nullable: bool = True,
                what: str = "a whole number of 0 or more") -> int | None:
        """A plain whole number ≥ 0; null when not reported (if nullable)."""
        if node is None:
            return None
        if not self._accept(node, field_path):
            return None
        or_null = " (or null when not reported)" if nullable else ""
        if not isinstance(node, ScalarNode):
            self.error(node, field_path, f"expected {what}{or_null} but got {_describe(node)}")
            return None
        if node.tag == _TAG + "null":
            if not nullable:
                self.error(node, field_path, f"expected {what} but the value is empty")
            return None
        value = node.value
        if not node.style and _WHOLE_NUMBER.fullmatch(value) and len(value.lstrip("+-0")) > _COUNT_DIGITS:
            self.error(node, field_path, f"expected {what}{or_null} but got a number of "
                       f"{len(value.lstrip('+-0')):,} digits, over Charter's limit of {limits.COUNT_MAX:,} "
                       "(more than the world's population); check the number")
            return None
        if not node.style and _WHOLE_NUMBER.fullmatch(value):
            number = int(value)
            if number > limits.COUNT_MAX:
                self.error(node, field_path, f"expected {what}{or_null} but got {number:,}, over Charter's limit "
                           f"of {limits.COUNT_MAX:,} (more than the world's population); check the number")
                return None
            if number < 0:
                self.error(node, field_path, f"expected {what}{or_null} but got {value}: counts cannot be negative")
                return None
            return number
        if node.style and _WHOLE_NUMBER.fullmatch(value.strip()):
            hint = "; remove the quotes"
        elif re.fullmatch(r"[0-9]{1,3}([,. _][0-9]{3})+", value):
            hint = f"; write it without separators: {re.sub(r'[^0-9]', '', value)}"
        else:
            hint = ""
        self.error(node, field_path, f"expected {what}{or_null} but got {_describe(node)}{hint}")
        return None

    def number(self, node: Node | None, field_path: str) -> float | None:
        """A plain number (e.g. a column width); None when null."""
        if node is None or not self._accept(node, field_path):
            return None
        if isinstance(node, ScalarNode) and node.tag == _TAG + "null":
            return None
        if isinstance(node, ScalarNode) and not node.style and _NUMBER.fullmatch(node.value):
            return float(node.value)
        self.error(node, field_path, f"expected a number such as 1 or 1.5 but got {_describe(node)}")
        return None

    def boolean(self, node: Node | None, field_path: str) -> bool | None:
        """true or false (YAML 1.1's yes/no/on/off are refused: they surprise too often)."""
        if node is None or not self._accept(node, field_path):
            return None
        if isinstance(node, ScalarNode) and not node.style and node.value.lower() in ("true", "false"):
            return node.value.lower() == "true"
        self.error(node, field_path, f"expected true or false but got {_describe(node)}")
        return None

    def items(self, node: Node | None, field_path: str, *, what: str = "a list") -> list[tuple[str, Node]]:
        """[(item path, item node)] of a list; an empty or null value is an empty list."""
        if node is None or self.is_null(node):
            if node is not None:
                self.positions[field_path] = location(self.path, node)
            return []
        if not self._accept(node, field_path):
            return []
        if not isinstance(node, SequenceNode):
            example = " such as [first, second] or one '- item' per line"
            self.error(node, field_path, f"expected {what}{example} but got {_describe(node)}")
            return []
        return [(f"{field_path}.{index}", item) for index, item in enumerate(node.value)]

    def text_list(self, node: Node | None, field_path: str, *, single: bool = False,
                  what: str = "a list of texts") -> tuple[str, ...]:
        """A list of texts, each as typed; with ``single`` a lone text is a one-item list."""
        if node is None:
            return ()
        if single and isinstance(node, ScalarNode) and not self.is_null(node):
            value = self.text(node, field_path)
            return (value,) if value is not None else ()
        values = (self.text(item, path) for path, item in self.items(node, field_path, what=what))
        return tuple(v for v in values if v is not None)


def read_yaml_file(root: Path, rel: str, empty_hint: str | None = None) -> tuple[Node | None, list[Problem]]:
    """Read and compose one YAML file of the project: the one reader of review.yaml and study files.

    None (with the problems) when it cannot be used. A file that resolves outside the project
    is refused unread: its text would end up in a CI log. An empty file is a problem when
    ``empty_hint`` says what to write in it; otherwise it is an empty document (None, no problems).
    """
    outside = refuse_outside(root, rel)
    if outside is not None:
        return None, [outside]
    try:
        data = (Path(root) / rel).read_bytes()
    except OSError as error:
        return None, [Problem(Location(rel), "", f"cannot read the file: {error.strerror}")]
    text, problems = decode(rel, data)
    if text is None:
        return None, problems
    node, problems = compose(rel, text)
    if node is None and not problems and empty_hint is not None:
        problems = [Problem(Location(rel, 1, 1), "", f"the file is empty: {empty_hint}")]
    return node, problems
