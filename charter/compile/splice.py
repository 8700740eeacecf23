"""Table 1 and Figure 1 put in place of their placement Divs in Python, as the Lua filter's ``splice`` does.

Why: the Lua filter (charter/filters/charter.lua) reads each pre-built block
file with ``pandoc.read(content, "json")`` and hands the blocks back to
pandoc, which then writes them out again as JSON. At 3,000 studies Table 1 is
17 MB of pandoc JSON and that costs 4.5–6.5 s of the read stage, paid again
after every edit. The grouped citation runs (``charter.compile.citations``)
read the Markdown without citeproc in a run of their own anyway, so there the
filter is told to splice nothing (``unspliced_settings``) and the blocks are
put in here, in the tree pandoc read. The plain run (small reviews: one pandoc
run with ``--citeproc``) keeps the filter's splice, which would otherwise need
a second pandoc run.

Same result as the filter, byte for byte (tests/test_splice.py): the filter
runs typewise, so its Cite and Image functions never see the spliced blocks,
and its Div function works bottom-up, on every Div of the document (metadata
and notes included). Where the filter's result is not certain (an authored
caption or note with blocks other than paragraphs, a table without its label,
a file of another pandoc API version) ``spliced`` returns None and the caller
uses the filter instead.
"""

from __future__ import annotations

from typing import Mapping

PLACEMENT_CLASS = "charter-placement"
_SPACE = {"t": "Space"}
_NO_CONTENT = ("CodeBlock", "RawBlock", "HorizontalRule", "Table")  # blocks without .content in Lua


class Unknown(Exception):
    """The filter's result for this placement is not known here: let the filter splice."""


def unspliced_settings(settings: Mapping) -> dict:
    """The filter's settings with nothing to splice: the placement Divs come through as pandoc read them."""
    return {**settings, "splice": {}}


def spliced(tree: dict, documents: Mapping[str, dict]) -> dict | None:
    """The tree with each placement Div (label -> pandoc JSON document) replaced as the filter would; None if unsure."""
    if any(not _readable(d, tree) for d in documents.values()):
        return None  # pandoc.read refuses the file: the filter stops the build with pandoc's own message
    try:
        return {**tree, "meta": _walk(tree["meta"], documents), "blocks": _walk(tree["blocks"], documents)}
    except (Unknown, RecursionError):
        return None


def _readable(document: dict, tree: dict) -> bool:
    """Whether pandoc reads this JSON document: the same major API version (its first two numbers)."""
    version, own = document.get("pandoc-api-version"), tree.get("pandoc-api-version")
    return type(version) is list and len(version) >= 2 and version[:2] == own[:2]


# Elements that hold no block: the walk does not look inside them (most of a long text is Str and Space).
_LEAVES = frozenset({"Str", "Space", "SoftBreak", "LineBreak", "Code", "Math", "RawInline", "RawBlock", "CodeBlock",
                     "HorizontalRule", "MetaString", "MetaBool"})


def _walk(node, documents: Mapping[str, dict]):
    """``node`` with its placement Divs spliced, children first; the same object where nothing changed."""
    if type(node) is dict:
        kind = node.get("t")
        if kind in _LEAVES:
            return node
        if kind is not None:  # an element: its content
            content = node.get("c")
            new = _walk(content, documents)
            return node if new is content else {**node, "c": new}
        changed = {key: _walk(value, documents) for key, value in node.items()}  # metadata, a citation
        return node if all(changed[key] is node[key] for key in node) else changed
    if type(node) is not list:
        return node
    out, changed = [], False
    for item in node:
        new = _walk(item, documents)
        label = _label(new, documents) if type(new) is dict and new.get("t") == "Div" else None
        if label is not None:
            out.extend(placement_blocks(new, documents[label]["blocks"]))
        else:
            out.append(new)
        changed = changed or label is not None or new is not item
    return out if changed else node


def _label(div: dict, documents: Mapping[str, dict]) -> str | None:
    identifier, classes, _ = div["c"][0]
    return identifier if PLACEMENT_CLASS in classes and identifier in documents else None


def placement_blocks(div: dict, blocks: list) -> list:
    """The blocks that replace a placement Div: the file's, with the authored caption and note in the table's place.

    The authors' caption (Div .charter-caption) follows the table's label ("Table 1.") in the
    caption of each top-level Table; their note (Div .charter-note) becomes "Note. …" in each
    top-level Div .charter-table-note. Raises Unknown where the filter's result is not certain.
    """
    caption = _authored_part(div, "charter-caption")
    note = _authored_part(div, "charter-note")
    out = []
    for block in blocks:
        kind = block.get("t")
        if kind == "Table" and caption is not None and block["c"][1][1]:
            attr, (short, long), *rest = block["c"]
            label = _content(long[0])
            if not label:
                raise Unknown("the table's caption does not start with its label")
            block = {**block, "c": [attr, [short, [{"t": "Plain", "c": [label[0], _SPACE, *caption]}]], *rest]}
        elif kind == "Div" and note is not None and "charter-table-note" in block["c"][0][1]:
            text = [{"t": "Emph", "c": [{"t": "Str", "c": "Note."}]}, _SPACE, *note]
            block = {**block, "c": [block["c"][0], [{"t": "Para", "c": text}]]}
        out.append(block)
    return out


def _authored_part(div: dict, role: str) -> list | None:
    """The inlines of the first Div of that class inside the placement, paragraphs joined by a space."""
    for block in div["c"][1]:
        if block.get("t") == "Div" and role in block["c"][0][1]:
            inlines: list = []
            for part in block["c"][1]:
                if part.get("t") in _NO_CONTENT:
                    continue
                if inlines:
                    inlines.append(_SPACE)
                inlines.extend(_content(part))
            return inlines
    return None


def _content(block: dict) -> list:
    """A block's inlines as Lua's ``block.content`` gives them; Unknown for blocks whose content is not inlines."""
    kind = block.get("t")
    if kind in ("Para", "Plain"):
        return block["c"]
    if kind == "Header":
        return block["c"][2]
    raise Unknown(f"a {kind} in an authored caption or note")
