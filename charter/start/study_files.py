"""Study files as flat rows of fields, and back: what import, export and new-study share.

A study is handled here as a mapping from a dotted field path
(``design.orientation``, ``participants.n``) to a value: text, a whole
number, a tuple of texts (list fields) or None (not reported). Values are
kept as typed in the YAML file (the strict reader's rule), so reading a file
and writing the same values back gives the same data.

``study_fields`` says which fields a review's studies have (the standard
ones of docs/format.md plus those the review declares in ``study_fields:``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from yaml.nodes import MappingNode, Node, SequenceNode

from charter.model import Problem, Review
from charter.sources.validate import STUDY_FIELDS
from charter.sources.yaml_source import location, read_yaml_file

TEXT, INTEGER, LIST = "text", "integer", "list"

# How the standard study fields (validate.STUDY_FIELDS, in file order) are written: the parts of a
# nested field, and the fields that hold a list or a whole number (all others are text).
_PARTS = {"design": ("orientation", "method"), "participants": ("description", "n"),
          "validity": ("internal", "external")}
_KINDS = {"reports": LIST, "country": LIST, "questions": LIST, "findings": LIST, "keywords": LIST,
          "participants.n": INTEGER}
STANDARD_FIELDS: tuple[tuple[str, str], ...] = tuple(
    (path, _KINDS.get(path, TEXT))
    for name in STUDY_FIELDS
    for path in ([f"{name}.{part}" for part in _PARTS[name]] if name in _PARTS else [name]))
# Fields a new study file leaves out unless they have a value (most studies have none).
OPTIONAL_WHEN_EMPTY = frozenset({"reports", "subtheme"})
# List fields that may also be one text (`country: Norway`).
SINGLE_OR_LIST = frozenset({"country"})


@dataclass(frozen=True)
class Field:
    path: str  # dotted: design.orientation
    kind: str  # text, integer or list
    label: str = ""


def study_fields(review: Review | None) -> tuple[Field, ...]:
    """Every field a study of this review has: the standard ones, then the review's own."""
    declared = {"theme": bool(review.themes) if review else True, "subtheme": bool(review.themes) if review else True,
                "questions": bool(getattr(review, "questions", ()))}  # only what the review uses
    fields = [Field(path, kind) for path, kind in STANDARD_FIELDS if declared.get(path, True)]
    for extra in (review.extra_fields if review else ()):
        kind = LIST if extra.type == "list" else INTEGER if extra.type == "integer" else TEXT
        fields.append(Field(extra.name, kind, extra.label))
    return tuple(fields)


# ---------------------------------------------------------------- reading


def plain(node: Node | None) -> object:
    """A composed YAML node as plain values, texts exactly as typed (the strict reader's rule)."""
    if node is None:
        return None
    if isinstance(node, MappingNode):
        return {key.value: plain(value) for key, value in node.value}
    if isinstance(node, SequenceNode):
        return [plain(item) for item in node.value]
    if node.tag.endswith(":null"):
        return None
    return node.value.rstrip("\n") if node.style in ("|", ">") else node.value


def flatten(data: object, prefix: str = "") -> dict[str, object]:
    """{"design": {"method": "x"}} -> {"design.method": "x"}; lists stay whole."""
    if not isinstance(data, dict):
        return {prefix: data} if prefix else {}
    flat: dict[str, object] = {}
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            flat.update(flatten(value, path))
        else:
            flat[path] = value
    return flat


def read_study_file(root: Path, rel: str) -> tuple[dict[str, object] | None, list[Problem]]:
    """A study file's fields as a flat mapping in file order; None when it cannot be read as YAML."""
    node, problems = read_yaml_file(root, rel)
    if problems:
        return None, problems
    if node is not None and not isinstance(node, MappingNode):
        return None, [Problem(location(rel, node), "", "a study file is a mapping of fields (id: …, theme: …)")]
    return flatten(plain(node) or {}), []


def normalised(kind: str, value: object) -> object:
    """The value as compared: empty and null are one; a list field's single text is a one-item list."""
    if value is None or value == "" or value == [] or value == ():
        return None
    if kind == LIST:
        items = value if isinstance(value, (list, tuple)) else [value]
        items = tuple(str(item) for item in items if item not in (None, ""))
        return items or None
    if isinstance(value, (list, tuple, dict)):
        return value if not isinstance(value, list) else tuple(value)
    return str(value)


# ---------------------------------------------------------------- writing

_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n\t]*")
_YAML_WORDS = frozenset({"null", "~", "true", "false", "yes", "no", "on", "off", "y", "n"})


def scalar(value: object) -> str:
    """One value as a YAML scalar that the strict reader reads back exactly: plain when safe, else quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if (_PLAIN.fullmatch(text) and text == text.strip() and text.lower() not in _YAML_WORDS
            and ": " not in text and " #" not in text and not text.endswith(":")
            and all(ch.isprintable() for ch in text)):
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _block(lines: list[str], key: str, value: object, indent: str) -> None:
    if isinstance(value, (list, tuple)) and any(isinstance(item, dict) for item in value):
        lines.append(f"{indent}{key}:")  # a list of mappings (e.g. samples: - {description, n})
        for item in value:
            item_lines: list[str] = []
            for sub_key, sub_value in (item.items() if isinstance(item, dict) else [("", item)]):
                _block(item_lines, sub_key, sub_value, "")
            lines.extend(f"{indent}  {'- ' if i == 0 else '  '}{line}" for i, line in enumerate(item_lines))
    elif isinstance(value, (list, tuple)):
        items = [scalar(item) for item in value]
        if not items:
            lines.append(f"{indent}{key}: []")
        elif sum(len(item) + 2 for item in items) <= 60 and not any(set(item) & set(",[]{}") for item in items):
            lines.append(f"{indent}{key}: [{', '.join(items)}]")
        else:
            lines.append(f"{indent}{key}:")
            lines.extend(f"{indent}  - {item}" for item in items)
    elif isinstance(value, dict):
        lines.append(f"{indent}{key}:")
        for sub_key, sub_value in value.items():
            _block(lines, sub_key, sub_value, indent + "  ")
    else:
        lines.append(f"{indent}{key}: {scalar(value)}")


def unflatten(flat: dict[str, object]) -> dict[str, object]:
    """{"design.method": "x"} -> {"design": {"method": "x"}}, keeping the order of first appearance."""
    nested: dict[str, object] = {}
    for path, value in flat.items():
        parts = path.split(".")
        target = nested
        for part in parts[:-1]:
            target = target.setdefault(part, {})  # type: ignore[assignment]
        target[parts[-1]] = value
    return nested


def study_yaml(values: dict[str, object], fields: tuple[Field, ...], header: str = "") -> str:
    """Write a study's fields as a study file: standard fields in their order, then the review's, then others."""
    order = [f.path for f in fields]
    ordered = {path: values[path] for path in order if path in values}
    ordered.update((path, value) for path, value in values.items() if path not in ordered)
    for path, value in ordered.items():
        if path in SINGLE_OR_LIST and isinstance(value, (list, tuple)) and len(value) == 1:
            ordered[path] = value[0]  # one country is written `country: Norway`, as people write it
    lines = [f"# {line}".rstrip() for line in header.splitlines()] if header else []
    for key, value in unflatten(ordered).items():
        _block(lines, key, value, "")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------ editing in place


def _value_node(root: Node, path: str) -> Node | None:
    node = root
    for part in path.split("."):
        if not isinstance(node, MappingNode):
            return None
        node = next((value for key, value in node.value if key.value == part), None)
        if node is None:
            return None
    return node


def _replacement(value: object, node: Node, text: str) -> str:
    """The new value's YAML text for the place of node: flow lists stay flow, block lists stay block."""
    if not isinstance(value, (list, tuple)):
        return scalar(value)
    items = [scalar(item) for item in value]
    if isinstance(node, SequenceNode) and not node.flow_style and items:
        column = node.start_mark.column  # the first '-': every further item starts below it
        return "- " + ("\n" + " " * column + "- ").join(items)
    return f"[{', '.join(items)}]"


def edit_in_place(text: str, changes: dict[str, object]) -> str | None:
    """Set fields of a study file's text, touching nothing but their values (comments and layout stay).

    Returns None when a change cannot be made in place (a field the file does not have yet, a list of
    mappings); the caller then writes the file in Charter's layout.
    """
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # the pure-Python composer: marks count characters
    except yaml.YAMLError:
        return None
    spans = []
    for path, value in changes.items():
        node = _value_node(root, path) if root is not None else None
        if node is None or isinstance(node, MappingNode) or (isinstance(value, (list, tuple))
                                                            and any(isinstance(v, dict) for v in value)):
            return None
        if isinstance(node, SequenceNode) and not node.flow_style and not value:
            return None  # a block list becoming empty changes the layout: write the file anew
        # a block list ends with its last item: what follows it (comments, blank lines) stays
        block_list = isinstance(node, SequenceNode) and not node.flow_style and node.value
        end = node.value[-1].end_mark.index if block_list else node.end_mark.index
        spans.append((node.start_mark.index, end, _replacement(value, node, text)))
    edited = text
    for start, end, new in sorted(spans, reverse=True):
        if isinstance(new, str) and edited[start:end].endswith("\n") and not new.endswith("\n"):
            new += "\n"  # a block scalar's span ends with its line break
        edited = edited[:start] + new + edited[end:]
    return edited
