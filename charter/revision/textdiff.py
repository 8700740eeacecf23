"""Compare two built manuscripts word by word: one document with every difference as a tracked change.

Input: the pandoc trees (``build/manuscript.json``) of two versions. Output:
the new version's tree in which every word that was added sits in a Span of
class ``insertion`` and every word that was removed is put back in a Span of
class ``deletion`` — the classes pandoc's DOCX writer turns into Word's own
tracked changes (``w:ins``/``w:del``), so a co-author can step through them in
the Review pane and accept or reject each one.

How blocks are paired: the blocks of both versions (paragraphs, headings,
Table 1 rows, reference-list entries, list items) are aligned by their text
with difflib; a changed block is paired with the most similar changed block
of the same kind nearby, and compared word by word (words, spaces and
citations are the units); an unpaired block is wholly inserted or deleted. A
paragraph that left one place and reappears unchanged at another is reported
as moved. Table rows are aligned by their text too, so adding a study inserts
one row rather than changing every row after it.

Pure functions over plain pandoc JSON; nothing here reads or writes files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Callable

INSERTION, DELETION = "insertion", "deletion"
PAIR_SIMILARITY = 0.4  # below this, two changed blocks are not the same block edited
# The containers whose formatting is part of a word: a word that became italic has changed.
_FORMATTING = ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps", "Span", "Link",
               "Quoted")

# who(anchor id of the new block or None, old anchor id or None, words removed, words added) -> (author, date)
Attribution = Callable[[str | None, str | None, str, str], tuple[str, str]]


@dataclass(frozen=True)
class TextChange:
    """One change, for the summary: where (the new version's anchor), what kind, and the words."""

    kind: str  # "inserted" | "deleted" | "changed" | "moved"
    anchor: str | None  # ch_… id of the block in the new version (None for a deleted block)
    old_anchor: str | None
    removed: str
    added: str


# ------------------------------------------------------------------ plain text


def plain(node) -> str:
    """The text a reader sees in a pandoc node (inline, block or list of them)."""
    out: list[str] = []
    _plain(node, out)
    return "".join(out).strip()


def _plain(node, out: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _plain(item, out)
        return
    if not isinstance(node, dict):
        return
    kind, content = node.get("t"), node.get("c")
    if kind == "Str":
        out.append(content)
    elif kind in ("Space", "SoftBreak", "LineBreak"):
        out.append(" ")
    elif kind in ("RawInline", "RawBlock", "Math", "Code", "Note"):
        return
    elif kind == "Cite":
        _plain(content[1], out)
    elif kind == "Table":
        attr, caption, colspecs, head, bodies, foot = content
        _plain(caption[1], out)
        for row in _rows(content):
            out.append(" | ".join(plain(cell[4]) for cell in row[1]))
            out.append("\n")
    elif isinstance(content, list):
        if kind in ("Div", "Span", "Link", "Image", "Header", "Figure", "Quoted"):
            _plain(content[-1] if kind not in ("Link", "Image") else content[1], out)
        else:
            _plain(content, out)
        if kind in ("Para", "Plain", "Header"):
            out.append("\n")


def _rows(table_content: list) -> list:
    attr, caption, colspecs, head, bodies, foot = table_content
    rows = list(head[1])
    for body in bodies:
        rows += body[2] + body[3]
    return rows + list(foot[1])


# ---------------------------------------------------------------- the diff


class _Differ:
    def __init__(self, who: Attribution) -> None:
        self.who = who
        self.changes: list[TextChange] = []

    # ---- marking whole blocks

    def _attr(self, kind: str, anchor: str | None, old_anchor: str | None, removed: str, added: str) -> list:
        author, date = self.who(anchor, old_anchor, removed, added)
        return ["", [kind], [["author", author], ["date", date]]]

    def _span(self, kind: str, inlines: list, anchor: str | None, old_anchor: str | None) -> list:
        """The inlines marked as one change; inside an anchor Span, so that the bookmark holds the change."""
        text = plain(inlines)
        attr = self._attr(kind, anchor, old_anchor, text if kind == DELETION else "", text if kind == INSERTION else "")
        return _inside_anchors(inlines, lambda run: {"t": "Span", "c": [attr, run]})

    def mark_block(self, block: dict, kind: str, anchor: str | None, old_anchor: str | None) -> dict:
        """The block with all its text inside one insertion or deletion span per paragraph."""
        t, c = block.get("t"), block.get("c")
        # a deleted copy must not repeat a bookmark (ch_ id) the new version still has
        keep = _no_ids if kind == DELETION else (lambda inlines: inlines)
        if t in ("Para", "Plain"):
            return {"t": t, "c": self._span(kind, keep(c), anchor, old_anchor)} if c else block
        if t == "Header":
            level, attr, inlines = c
            return {"t": t, "c": [level, ["", attr[1], attr[2]] if kind == DELETION else attr,
                                  self._span(kind, keep(inlines), anchor, old_anchor)]}
        if t == "Div":
            attr, blocks = c
            attr = ["", attr[1], attr[2]] if kind == DELETION else attr
            return {"t": t, "c": [attr, [self.mark_block(b, kind, anchor, old_anchor) for b in blocks]]}
        if t in ("BulletList",):
            return {"t": t, "c": [[self.mark_block(b, kind, anchor, old_anchor) for b in item] for item in c]}
        if t == "OrderedList":
            return {"t": t, "c": [c[0], [[self.mark_block(b, kind, anchor, old_anchor) for b in item]
                                         for item in c[1]]]}
        if t == "BlockQuote":
            return {"t": t, "c": [self.mark_block(b, kind, anchor, old_anchor) for b in c]}
        if t == "Table":
            return self._mark_table(block, kind, anchor, old_anchor)
        return block  # raw blocks, figures, rules: shown as they are in the new version (or dropped, see below)

    def _mark_table(self, block: dict, kind: str, anchor, old_anchor) -> dict:
        attr, caption, colspecs, head, bodies, foot = block["c"]

        def rows(row_list):
            return [self._mark_row(row, kind, anchor, old_anchor) for row in row_list]

        return {"t": "Table", "c": [attr, caption, colspecs, [head[0], rows(head[1])],
                                    [[b[0], b[1], rows(b[2]), rows(b[3])] for b in bodies], [foot[0], rows(foot[1])]]}

    def _mark_row(self, row: list, kind: str, anchor, old_anchor) -> list:
        row_attr, cells = row
        return [row_attr, [[*cell[:4], [self.mark_block(b, kind, _anchor_in(b) or anchor, old_anchor)
                                        for b in cell[4]]] for cell in cells]]

    # ---- pairing

    def blocks(self, old: list, new: list) -> list:
        """The new blocks with the differences from old marked; deleted blocks put back where they were."""
        old_keys, new_keys = [_key(b) for b in old], [_key(b) for b in new]
        out: list = []
        deleted: list[tuple[int, dict]] = []  # (index in out, old block) for move detection
        inserted: list[tuple[int, dict]] = []
        matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":  # same text; a table, or formatting, may still differ inside
                out += [n if _no_ids(o) == _no_ids(n) else self.block(o, n) for o, n in zip(old[i1:i2], new[j1:j2])]
                continue
            pairs = _pair(old[i1:i2], new[j1:j2])
            paired_old = {i for i, _ in pairs.items()}
            j_to_i = {j: i for i, j in pairs.items()}
            i = 0
            for j, block in enumerate(new[j1:j2]):
                if j in j_to_i:  # first the deleted blocks that came before its partner
                    while i < j_to_i[j]:
                        if i not in paired_old:
                            deleted.append((len(out), old[i1 + i]))
                            out.append(old[i1 + i])
                        i += 1
                    i = j_to_i[j] + 1
                    out.append(self.block(old[i1 + j_to_i[j]], block))
                else:
                    inserted.append((len(out), block))
                    out.append(block)
            while i < i2 - i1:
                if i not in paired_old:
                    deleted.append((len(out), old[i1 + i]))
                    out.append(old[i1 + i])
                i += 1
        moved = _moves(deleted, inserted)  # {deleted position: inserted position}
        for position, block in deleted:
            old_anchor = _anchor(block)
            if position in moved:
                anchor = _anchor(out[moved[position]])
                self.changes.append(TextChange("moved", anchor, old_anchor, plain(block), plain(block)))
            elif _key(block)[1]:
                self.changes.append(TextChange("deleted", None, old_anchor, plain(block), ""))
            out[position] = self.mark_block(block, DELETION, None, old_anchor)
        arrived = set(moved.values())
        for position, block in inserted:
            anchor = _anchor(block)
            if _key(block)[1] and position not in arrived:
                self.changes.append(TextChange("inserted", anchor, None, "", plain(block)))
            out[position] = self.mark_block(block, INSERTION, anchor, None)
        return out

    def block(self, old: dict, new: dict, anchor: str | None = None) -> dict:
        """Two versions of one block, compared inside (anchor: the ch_ id the block sits in, if any)."""
        t = new.get("t")
        if old.get("t") != t:
            return new
        if t in ("Para", "Plain"):
            return {"t": t, "c": self.inlines(old["c"], new["c"], anchor or _anchor_in(new), _anchor_in(old))}
        if t == "Header":
            level, attr, inlines = new["c"]
            return {"t": t, "c": [level, attr, self.inlines(old["c"][2], inlines, _anchor(new) or attr[0], None)]}
        if t == "Div":
            attr, blocks = new["c"]
            return {"t": t, "c": [attr, self._within(old["c"][1], blocks, attr[0])]}
        if t == "BlockQuote":
            return {"t": t, "c": self.blocks(old["c"], new["c"])}
        if t == "BulletList":
            return {"t": t, "c": self._items(old["c"], new["c"])}
        if t == "OrderedList":
            return {"t": t, "c": [new["c"][0], self._items(old["c"][1], new["c"][1])]}
        if t == "Table":
            return self.table(old, new)
        if t == "Figure":  # the caption is text; the picture is compared through its data (invoke changes)
            attr, (short, caption), content = new["c"]
            return {"t": t, "c": [attr, [short, self.blocks(old["c"][1][1], caption)], content]}
        return new

    def _within(self, old_blocks: list, new_blocks: list, anchor: str) -> list:
        """The blocks of an anchor Div: one paragraph usually, compared directly when both have one."""
        if len(old_blocks) == 1 and len(new_blocks) == 1 and old_blocks[0].get("t") == new_blocks[0].get("t"):
            t = new_blocks[0]["t"]
            if t in ("Para", "Plain"):
                return [{"t": t, "c": self.inlines(old_blocks[0]["c"], new_blocks[0]["c"], anchor or None, None)}]
            if t == "Header":
                level, attr, inlines = new_blocks[0]["c"]
                return [{"t": t, "c": [level, attr, self.inlines(old_blocks[0]["c"][2], inlines, anchor or None,
                                                                 None)]}]
        return self.blocks(old_blocks, new_blocks)

    def _items(self, old_items: list, new_items: list) -> list:
        wrapped_old = [{"t": "Div", "c": [["", [], []], item]} for item in old_items]
        wrapped_new = [{"t": "Div", "c": [["", [], []], item]} for item in new_items]
        return [block["c"][1] for block in self.blocks(wrapped_old, wrapped_new)]

    def table(self, old: dict, new: dict) -> dict:
        """Rows aligned by their text; cells of paired rows compared word by word."""
        attr, caption, colspecs, head, bodies, foot = new["c"]
        old_attr, old_caption, _, old_head, old_bodies, old_foot = old["c"]
        caption = [caption[0], self.blocks(old_caption[1], caption[1])]
        head = [head[0], [row for _, row in self._body_rows(old_head[1], head[1])]]
        foot = [foot[0], [row for _, row in self._body_rows(old_foot[1], foot[1])]]
        old_rows = [row for body in old_bodies for row in body[2] + body[3]]
        new_rows = [row for body in bodies for row in body[2] + body[3]]
        marked = self._body_rows(old_rows, new_rows)
        # give each body back as many new rows as it had; a deleted row goes with the row after it
        new_bodies, position = [], 0
        for index, body in enumerate(bodies):
            size, rows = len(body[2]) + len(body[3]), []
            while position < len(marked) and (size or marked[position][0] == "deleted"):
                if index == len(bodies) - 1 and position >= len(marked):
                    break
                state, row = marked[position]
                if state != "deleted":
                    if size == 0:
                        break
                    size -= 1
                rows.append(row)
                position += 1
            if index == len(bodies) - 1:
                rows += [row for _, row in marked[position:]]
            heads = len(body[2])
            new_bodies.append([body[0], body[1], rows[:heads], rows[heads:]])
        return {"t": "Table", "c": [attr, caption, colspecs, head, new_bodies, foot]}

    def _body_rows(self, old_rows: list, new_rows: list) -> list[tuple[str, list]]:
        """[(state, row)] for the body: 'kept', 'changed', 'inserted' or 'deleted' rows in reading order."""
        old_keys, new_keys = [_row_key(r) for r in old_rows], [_row_key(r) for r in new_rows]
        out: list[tuple[str, list]] = []
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes():
            if tag == "equal":
                out += [("kept", row) for row in new_rows[j1:j2]]
                continue
            pairs = _pair_rows(old_rows[i1:i2], new_rows[j1:j2])
            j_to_i = {j: i for i, j in pairs.items()}
            i = 0
            for j, row in enumerate(new_rows[j1:j2]):
                if j in j_to_i:
                    while i < j_to_i[j]:
                        if i not in pairs:
                            out.append(("deleted", self._deleted_row(old_rows[i1 + i])))
                        i += 1
                    i = j_to_i[j] + 1
                    out.append(("changed", self._changed_row(old_rows[i1 + j_to_i[j]], row)))
                else:
                    out.append(("inserted", self._inserted_row(row)))
            while i < i2 - i1:
                if i not in pairs:
                    out.append(("deleted", self._deleted_row(old_rows[i1 + i])))
                i += 1
        return out

    def _changed_row(self, old_row: list, new_row: list) -> list:
        row_attr, cells = new_row
        old_cells = old_row[1]
        out = []
        for index, cell in enumerate(cells):
            if index < len(old_cells):
                out.append([*cell[:4], self._cell(old_cells[index][4], cell[4])])
            else:
                out.append([*cell[:4], [self.mark_block(b, INSERTION, _anchor_in(b), None) for b in cell[4]]])
        return [row_attr, out]

    def _cell(self, old_blocks: list, new_blocks: list) -> list:
        if len(old_blocks) == len(new_blocks) and all(o.get("t") == n.get("t") for o, n in zip(old_blocks, new_blocks)):
            return [self.block(o, n, _anchor_in(n)) for o, n in zip(old_blocks, new_blocks)]
        return self.blocks(old_blocks, new_blocks)

    def _inserted_row(self, row: list) -> list:
        text = " | ".join(plain(cell[4]) for cell in row[1])
        if text.strip(" |"):
            self.changes.append(TextChange("inserted", _first_anchor(row), None, "", text))
        return self._mark_row(row, INSERTION, None, None)

    def _deleted_row(self, row: list) -> list:
        text = " | ".join(plain(cell[4]) for cell in row[1])
        if text.strip(" |"):
            self.changes.append(TextChange("deleted", None, _first_anchor(row), text, ""))
        return self._mark_row(row, DELETION, None, _first_anchor(row))

    # ---- words

    def inlines(self, old: list, new: list, anchor: str | None, old_anchor: str | None) -> list:
        """The new inlines with inserted words in insertion spans and removed words put back in deletion spans."""
        old_tokens, new_tokens = _tokens(old), _tokens(new)
        old_keys, new_keys = [t.key for t in old_tokens], [t.key for t in new_tokens]
        if old_keys == new_keys:
            return new
        marked: list[tuple[_Token, str | None, list | None]] = []
        removed, added = [], []
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes():
            if tag == "equal":
                marked += [(token, None, None) for token in new_tokens[j1:j2]]
                continue
            gone, came = _text(old_tokens[i1:i2]), _text(new_tokens[j1:j2])
            marked += [(token, DELETION, self._attr(DELETION, anchor, old_anchor, gone, came))
                       for token in old_tokens[i1:i2]]
            marked += [(token, INSERTION, self._attr(INSERTION, anchor, old_anchor, gone, came))
                       for token in new_tokens[j1:j2]]
            removed.append(gone)
            added.append(came)
        self.changes.append(TextChange("changed", anchor, old_anchor, " … ".join(filter(None, removed)),
                                       " … ".join(filter(None, added))))
        return _nest(marked, 0)


# ------------------------------------------------------------------ tokens


@dataclass(frozen=True)
class _Token:
    """A word, a space or an atom (citation, note, math) with the formatting around it, outermost first."""

    inline: dict
    wrappers: tuple  # ((t, attr or None, extra), …) of the containers around it
    key: str


def _tokens(inlines: list, wrappers: tuple = ()) -> list[_Token]:
    out: list[_Token] = []
    for inline in inlines:
        kind = inline.get("t")
        if kind in _FORMATTING and kind not in ("Link", "Quoted", "Span"):
            out += _tokens(inline["c"], (*wrappers, (kind, None, None)))
        elif kind == "Span":
            attr, content = inline["c"]
            out += _tokens(content, (*wrappers, ("Span", attr, None)))
        elif kind == "Link":
            attr, content, target = inline["c"]
            out += _tokens(content, (*wrappers, ("Link", attr, target)))
        elif kind == "Quoted":
            quote, content = inline["c"]
            out += _tokens(content, (*wrappers, ("Quoted", None, quote)))
        elif kind == "Str":
            out += [_Token({"t": "Str", "c": word}, wrappers, _wrapper_key(wrappers) + word)
                    for word in _split_word(inline["c"])]
        else:
            out.append(_Token(inline, wrappers, _wrapper_key(wrappers) + json.dumps(_no_ids(inline), sort_keys=True)))
    return out


_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_](?:[\w'’-]*\w)?|.", re.UNICODE | re.DOTALL)


def _split_word(text: str) -> list[str]:
    """'(n = 1,379),' compares as '(', 'n', …, '1,379', ')', ',': a changed number or word shows alone."""
    return _WORD.findall(text) or [text]


def _wrapper_key(wrappers: tuple) -> str:
    # anchor ids (ch_…) differ between versions when blocks are added; they are not part of what a reader sees
    return "".join(f"<{kind}{_attr_key(attr)}{json.dumps(extra) if extra else ''}>" for kind, attr, extra in wrappers)


def _attr_key(attr) -> str:
    if not attr:
        return ""
    identifier, classes, attributes = attr
    return json.dumps(["" if identifier.startswith("ch_") else identifier, classes, attributes])


def _no_ids(node):
    if isinstance(node, dict):
        return {k: _no_ids(v) for k, v in node.items()}
    if isinstance(node, list):
        if len(node) == 3 and isinstance(node[0], str) and node[0].startswith("ch_") and isinstance(node[1], list):
            return ["", node[1], node[2]]
        return [_no_ids(v) for v in node]
    return node


def _text(tokens: list[_Token]) -> str:
    return "".join(plain(token.inline) if token.inline.get("t") != "Space" else " " for token in tokens).strip()


def _nest(marked: list, depth: int) -> list:
    """Nest the tokens back into their containers, with each run of changed words in one change span."""
    out: list = []
    i = 0
    while i < len(marked):
        token, change, attr = marked[i]
        if len(token.wrappers) > depth:
            wrapper = token.wrappers[depth]
            group_key = _wrapper_key((wrapper,))
            j = i
            while j < len(marked) and len(marked[j][0].wrappers) > depth and \
                    _wrapper_key((marked[j][0].wrappers[depth],)) == group_key:
                j += 1
            inner = _nest(marked[i:j], depth + 1)
            # the container's attributes come from the new version when it has words in it
            attr_source = next((t.wrappers[depth] for t, c, _ in marked[i:j] if c != DELETION), None)
            if attr_source is None:  # only deleted words: an anchor id would duplicate a bookmark
                kind, wrapper_attr, extra = wrapper
                attr_source = (kind, ["", wrapper_attr[1], wrapper_attr[2]] if wrapper_attr else wrapper_attr, extra)
            out.append(_container(attr_source, inner))
            i = j
            continue
        j = i
        while j < len(marked) and len(marked[j][0].wrappers) == depth and marked[j][1] == change \
                and marked[j][2] == attr:
            j += 1
        run = [t.inline for t, _, _ in marked[i:j]]
        if change is None:
            out += run
        else:
            out.append({"t": "Span", "c": [attr, _merge_strs(run)]})
        i = j if j > i else i + 1
    return _merge_strs(out)


def _container(wrapper: tuple, content: list) -> dict:
    kind, attr, extra = wrapper
    if kind == "Span":
        return {"t": "Span", "c": [attr, content]}
    if kind == "Link":
        return {"t": "Link", "c": [attr, content, extra]}
    if kind == "Quoted":
        return {"t": "Quoted", "c": [extra, content]}
    return {"t": kind, "c": content}


def _merge_strs(inlines: list) -> list:
    """Join adjacent Str pieces again ('(', 'n' → '(n'), so the output reads as pandoc would write it."""
    out: list = []
    for inline in inlines:
        if inline.get("t") == "Str" and out and out[-1].get("t") == "Str":
            out[-1] = {"t": "Str", "c": out[-1]["c"] + inline["c"]}
        else:
            out.append(inline)
    return out


# ------------------------------------------------------------------ helpers


def _key(block: dict) -> tuple[str, str]:
    t = block.get("t")
    if t == "Div":
        inner = block["c"][1]
        kind = inner[0].get("t") if len(inner) == 1 else "Div"
        classes = tuple(c for c in block["c"][0][1] if not c.startswith("charter-prose"))
        return f"Div{classes}:{kind}", plain(block)
    if t == "RawBlock":
        return "RawBlock", json.dumps(block["c"])
    if t == "Table":
        return "Table", ""  # tables pair with tables and are compared row by row
    return t or "", plain(block) or json.dumps(_no_ids(block), sort_keys=True)


def _pair_in_order(old: list, new: list, same: Callable[[object, object], bool | None],
                   text: Callable[[object], str]) -> dict[int, int]:
    """{old index: new index} for changed items, in order: the first new item that ``same`` says is the same
    one (True), else the one whose text is most alike, above PAIR_SIMILARITY; ``same`` False rules a pair out."""
    pairs: dict[int, int] = {}
    start = 0
    for i, item in enumerate(old):
        best, best_j = PAIR_SIMILARITY, None
        for j in range(start, len(new)):
            verdict = same(item, new[j])
            if verdict is False:
                continue
            if verdict:
                best_j = j
                break
            ratio = SequenceMatcher(None, text(item), text(new[j]), autojunk=False).ratio()
            if ratio > best:
                best, best_j = ratio, j
        if best_j is not None:
            pairs[i] = best_j
            start = best_j + 1
    return pairs


def _pair(old: list, new: list) -> dict[int, int]:
    """Pair changed blocks of the same kind, in order, when their texts are alike (tables of the same kind pair)."""
    def same(a: dict, b: dict) -> bool | None:
        kind = _key(a)[0]
        return False if kind != _key(b)[0] else (True if kind == "Table" else None)

    return _pair_in_order(old, new, same, lambda block: _key(block)[1])


def _row_key(row: list) -> str:
    return " | ".join(plain(cell[4]) for cell in row[1])


def _pair_rows(old: list, new: list) -> dict[int, int]:
    """A changed row pairs with a new row that shows the same study (same first cell) or reads alike."""
    def first(row: list) -> str:
        return plain(row[1][0][4]) if row[1] else ""

    def same(a: list, b: list) -> bool | None:
        return True if first(a) and first(a) == first(b) else None

    return _pair_in_order(old, new, same, _row_key)


def _moves(deleted: list[tuple[int, dict]], inserted: list[tuple[int, dict]]) -> dict[int, int]:
    """Deleted blocks whose text reappears unchanged as an inserted block: {deleted position: inserted position}."""
    by_text: dict[str, list[int]] = {}
    for position, block in inserted:
        text = plain(block)
        if len(text) > 40:  # short blocks (a heading "Results") repeat without having moved
            by_text.setdefault(text, []).append(position)
    moved: dict[int, int] = {}
    for position, block in deleted:
        candidates = by_text.get(plain(block))
        if candidates:
            moved[position] = candidates.pop(0)
    return moved


def _inside_anchors(inlines: list, wrap: Callable[[list], dict]) -> list:
    """Wrap runs of inlines, going inside ch_ anchor Spans and links rather than around them."""
    out, run = [], []
    for inline in inlines:
        if inline.get("t") == "Span" and inline["c"][0][0].startswith("ch_"):
            if run:
                out.append(wrap(run))
                run = []
            out.append({"t": "Span", "c": [inline["c"][0], _inside_anchors(inline["c"][1], wrap)]})
        elif inline.get("t") == "Link":  # Word keeps a hyperlink's text only when the change is inside the link
            if run:
                out.append(wrap(run))
                run = []
            attr, content, target = inline["c"]
            out.append({"t": "Link", "c": [attr, _inside_anchors(content, wrap), target]})
        else:
            run.append(inline)
    if run:
        out.append(wrap(run))
    return out


def _anchor(block: dict) -> str | None:
    if block.get("t") == "Div" and block["c"][0][0].startswith("ch_"):
        return block["c"][0][0]
    if block.get("t") == "Header":
        return None
    return None


def _anchor_in(block: dict) -> str | None:
    """The first ch_ anchor inside a block (a Table 1 cell's Span), for attribution."""
    found: list[str] = []

    def walk(node):
        if found:
            return
        if isinstance(node, dict):
            if node.get("t") in ("Span", "Div") and node["c"][0][0].startswith("ch_"):
                found.append(node["c"][0][0])
                return
            walk(node.get("c"))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(block)
    return found[0] if found else None


def _first_anchor(row: list) -> str | None:
    for cell in row[1]:
        for block in cell[4]:
            anchor = _anchor_in(block)
            if anchor:
                return anchor
    return None


def diff_documents(old: dict, new: dict, who: Attribution) -> tuple[dict, list[TextChange]]:
    """The new document with every difference from old marked as a tracked change, and the list of changes."""
    differ = _Differ(who)
    blocks = differ.blocks(old["blocks"], new["blocks"])
    return {**new, "blocks": blocks}, differ.changes
