"""Is the Markdown an author wrote well-formed, before pandoc reads it?

Pandoc never refuses Markdown: an unclosed ``<!--`` silently swallows the rest
of a section (Figure 1 with it), an unclosed code fence or ``:::`` div turns the
text after it into code or into the div, a raw ``{=openxml}`` block that is not
well-formed XML makes the DOCX unreadable, and a raw ``{=typst}`` block with an
unbalanced bracket breaks the PDF with an error pointing into
``build/manuscript.typ``. Lists and quotes nested hundreds deep exhaust the
recursion of the tools down the line. So each of these is an error here, at the
line where the unclosed thing opens, with what to do. ``invoke check`` and
``invoke build`` both run these checks (through ``charter.document.assemble``).
"""

from __future__ import annotations

import re
import xml.parsers.expat
from dataclasses import dataclass

from charter import limits
from charter.model import Location, Problem

_FENCE_RE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\n]*)$")
_DIV_OPEN_RE = re.compile(r"^ {0,3}:{3,}\s*\S")
_DIV_CLOSE_RE = re.compile(r"^ {0,3}:{3,}\s*$")
_RAW_INFO_RE = re.compile(r"^\{\s*=\s*(?P<format>[A-Za-z0-9_+-]+)\s*\}$")
_INLINE_RAW_FORMAT_RE = re.compile(r"\{=(?P<format>openxml|typst)\}")
_QUOTE_RE = re.compile(r"^ {0,3}((?:> ?)+)")
_LIST_ITEM_RE = re.compile(r"^(?P<indent>\s*)(?:[-*+]|\d{1,9}[.)]|#[.)])(?:\s|$)")
_TICKS_RE = re.compile(r"`+")

# The namespaces pandoc's word/document.xml declares: a raw OpenXML block may use any of their prefixes.
_OPENXML_NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "o": "urn:schemas-microsoft-com:office:office",
    "v": "urn:schemas-microsoft-com:vml",
    "w10": "urn:schemas-microsoft-com:office:word",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
}
_OPENXML_ROOT = "charter-raw " + " ".join(f'xmlns:{p}="{uri}"' for p, uri in _OPENXML_NAMESPACES.items())


def check_structure(path: str, text: str, first_line: int = 1) -> list[Problem]:
    """Every unclosed comment, code fence, div and raw block, every malformed raw block, and nesting too deep."""
    scan = _Scan(path, first_line)
    scan.run(text)
    return scan.problems


@dataclass
class _Open:
    what: str  # "fence", "comment"
    line: int  # 0-based line in the text
    column: int = 0
    marker: str = ""  # the fence, e.g. "```"
    raw_format: str = ""  # "openxml", "typst" or "" for a code block
    body_start: int = 0


class _Scan:
    def __init__(self, path: str, first_line: int) -> None:
        self.path, self.first_line = path, first_line
        self.problems: list[Problem] = []
        self.deep_reported = False

    def at(self, line: int, column: int = 0) -> Location:
        return Location(self.path, self.first_line + line, column)

    def error(self, line: int, message: str, column: int = 0) -> None:
        self.problems.append(Problem(self.at(line, column), "", message))

    def run(self, text: str) -> None:
        lines = text.split("\n")
        opened: _Open | None = None  # a fence or a comment: nothing else counts until it closes
        divs: list[int] = []
        list_indents: list[int] = []
        for number, line in enumerate(lines):
            if opened is not None and opened.what == "fence":
                match = _FENCE_RE.match(line)
                if match and match.group("fence")[0] == opened.marker[0] and \
                        len(match.group("fence")) >= len(opened.marker) and not match.group("info").strip():
                    self.raw_block(opened, lines[opened.body_start:number])
                    opened = None
                continue
            if opened is not None:  # inside a comment
                if "-->" not in line:
                    continue
                line = line[line.index("-->") + 3:]
                opened = None
            comment = self.open_comment(line)
            if comment is not None:
                opened = _Open("comment", number, comment + 1)
                line = line[:comment]
            fence = _FENCE_RE.match(line)
            if fence and comment is None:
                info = fence.group("info").strip()
                if fence.group("fence")[0] == "`" and "`" in info:
                    pass  # ``` inline code ``` on one line, not a fence
                else:
                    raw = _RAW_INFO_RE.match(info)
                    opened = _Open("fence", number, len(fence.group("indent")) + 1, fence.group("fence"),
                                   raw.group("format").lower() if raw else "", number + 1)
                    continue
            if _DIV_CLOSE_RE.match(line):
                if divs:
                    divs.pop()
                else:
                    self.error(number, "this ':::' line closes no div (a div opens with a line such as "
                                       "'::: {.note}'); delete it or add the opening line", 1)
                continue
            if _DIV_OPEN_RE.match(line):
                divs.append(number)
            self.nesting(number, line, len(divs), list_indents)
            self.inline_raw(number, line)
        if opened is not None and opened.what == "fence":
            opened.marker = opened.marker if len(opened.marker) <= 10 else opened.marker[:3] + "…"
            kind = f"raw {_FORMAT_NAMES.get(opened.raw_format, opened.raw_format)} block" if opened.raw_format \
                else "code block"
            self.error(opened.line, f"the {kind} opened with {opened.marker} at line "
                                    f"{self.first_line + opened.line} is never closed, so everything after it "
                                    f"is read as code; add a line {opened.marker} where it ends", opened.column)
        elif opened is not None:
            self.error(opened.line, f"the comment opened with '<!--' at line {self.first_line + opened.line} is "
                                    "never closed, so everything after it is hidden from the manuscript; add "
                                    "'-->' where the comment ends", opened.column)
        for line in divs:
            self.error(line, f"the div opened at line {self.first_line + line} is never closed; add a line ':::' "
                             "where it ends", 1)

    @staticmethod
    def open_comment(line: str) -> int | None:
        """The column of a '<!--' on the line that is not closed on it (code spans skipped), else None."""
        if "<!--" not in line:
            return None
        masked = mask_code_spans(line)
        position = 0
        while True:
            start = masked.find("<!--", position)
            if start < 0:
                return None
            end = masked.find("-->", start + 4)
            if end < 0:
                return start
            position = end + 3

    def nesting(self, number: int, line: str, div_depth: int, list_indents: list[int]) -> None:
        """Block quotes, lists and divs inside each other: at most limits.NESTING_DEPTH deep."""
        if not line.strip():
            return
        quote = _QUOTE_RE.match(line)
        quote_depth = quote.group(1).count(">") if quote else 0
        rest = line[quote.end():] if quote else line
        item = _LIST_ITEM_RE.match(rest)
        if item:
            indent = len(item.group("indent").expandtabs(4))
            while list_indents and list_indents[-1] >= indent:
                list_indents.pop()
            list_indents.append(indent)
        elif not rest.startswith((" ", "\t")):
            list_indents.clear()  # a line at the margin ends the lists
        depth = quote_depth + len(list_indents) + div_depth
        if depth > limits.NESTING_DEPTH and not self.deep_reported:
            self.deep_reported = True  # once per text: one fix mends the rest
            self.error(number, f"block quotes, lists and divs are nested {depth} deep here, over Charter's limit "
                               f"of {limits.NESTING_DEPTH} (Word shows at most 9 list levels); flatten the "
                               "structure", 1)

    def inline_raw(self, number: int, line: str) -> None:
        if "{=" not in line:
            return
        for _, end, code_start, code_end in code_spans(line):
            raw = _INLINE_RAW_FORMAT_RE.match(line, end)
            if raw:
                self.check_raw(raw.group("format"), [line[code_start:code_end]], number, inline=True)

    def raw_block(self, opened: _Open, body: list[str]) -> None:
        if opened.raw_format in _FORMAT_NAMES:
            self.check_raw(opened.raw_format, body, opened.body_start, inline=False)

    def check_raw(self, raw_format: str, body: list[str], first: int, inline: bool) -> None:
        text = "\n".join(body)
        found = openxml_problem(text) if raw_format == "openxml" else typst_problem(text)
        if found is None:
            return
        line, message = found
        where = first + (0 if inline else line - 1)
        kind = f"raw {_FORMAT_NAMES[raw_format]} {'code' if inline else 'block'}"
        consequence = ("Word would refuse to open the document" if raw_format == "openxml"
                       else "Typst would stop the PDF")
        self.error(where, f"the {kind} is not well-formed: {message}; {consequence}: correct it or remove it")


_FORMAT_NAMES = {"openxml": "OpenXML", "typst": "Typst"}


def comment_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each closed HTML comment ``<!-- … -->``, in linear time (an unclosed one is no span)."""
    spans, done = [], 0
    while True:
        start = text.find("<!--", done)
        if start < 0:
            return spans
        end = text.find("-->", start + 4)
        if end < 0:
            return spans
        spans.append((start, end + 3))
        done = end + 3


def mask_code_spans(line: str) -> str:
    """The line with each code span blanked out (same length, so columns stay right)."""
    pieces, done = [], 0
    for start, end, _, _ in code_spans(line):
        pieces += [line[done:start], " " * (end - start)]
        done = end
    return "".join(pieces) + line[done:]


def code_spans(line: str) -> list[tuple[int, int, int, int]]:
    """(start, end, content start, content end) of each code span of a line, in linear time.

    As CommonMark has it: a run of backticks opens a span that the next run of
    the same length closes; a run that nothing closes is text. (A regular
    expression with a back-reference takes minutes on a line of 8,000 backticks.)
    """
    runs = [(m.start(), m.end()) for m in _TICKS_RE.finditer(line)]
    following: dict[int, list[int]] = {}  # run length -> indices of the runs of that length, in order
    for index, (start, end) in enumerate(runs):
        following.setdefault(end - start, []).append(index)
    positions = {length: 0 for length in following}  # how far each list has been consumed
    spans = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        same = following[end - start]
        position = positions[end - start]
        while position < len(same) and same[position] <= index:
            position += 1
        positions[end - start] = position
        if position == len(same):
            index += 1  # never closed: literal backticks
            continue
        closing = same[position]
        spans.append((start, runs[closing][1], end, runs[closing][0]))
        index = closing + 1
    return spans


# ------------------------------------------------------------------ OpenXML


def openxml_problem(text: str) -> tuple[int, str] | None:
    """(1-based line, what is wrong) when text is not a well-formed OpenXML fragment, else None."""
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.I):
        return _line_of(text, re.search(r"<!DOCTYPE|<!ENTITY", text, re.I).start()), \
            "a DOCTYPE or ENTITY declaration is not allowed in a raw block"
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    try:
        # the wrapper starts on the block's first line, so expat's line numbers are the block's
        parser.Parse(f"<{_OPENXML_ROOT}>{text}\n</charter-raw>", True)
    except xml.parsers.expat.ExpatError as error:
        message = xml.parsers.expat.ErrorString(error.code)
        last = text.count("\n") + 1
        if error.lineno > last:  # at the wrapper's end tag: something opened in the block is still open
            message = "a tag is not closed"
        elif message == "unbound prefix":
            message = f"a tag's prefix is not one Word knows here (use {', '.join(_OPENXML_NAMESPACES)})"
        elif message == "undefined entity":
            message = "an entity such as &nbsp; is not XML: write the character itself, or &amp; &lt; &gt;"
        return min(error.lineno, last), message
    return None


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# ------------------------------------------------------------------ Typst


_KEYWORDS = frozenset(("let", "set", "show", "import", "include", "if", "for", "while", "return", "context"))
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_CLOSERS = {"(": ")", "{": "}", "[": "]"}


def typst_problem(text: str) -> tuple[int, str] | None:
    """(1-based line, what is wrong) when brackets, strings, raw text, math or comments in Typst source do not
    balance, else None.

    A lexical check, not Typst's parser: markup and code are told apart well
    enough to know which brackets count (in markup only ``[ ]``; in code also
    ``( )`` and ``{ }``), where strings are (only in code) and where comments,
    raw text and math start and end. The block is spliced into a larger
    document, so even a ``[`` Typst would take as text at the top of a file
    must be closed.
    """
    try:
        _TypstScanner(text).run()
    except _Unbalanced as problem:
        return _line_of(text, problem.offset), problem.message
    return None


class _Unbalanced(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset, self.message = offset, message


class _TypstScanner:
    def __init__(self, text: str) -> None:
        self.text = text
        # each open group: (opening character or "line", offset, continues an embedded expression)
        self.stack: list[tuple[str, int, bool]] = []

    def mode(self) -> str:
        if not self.stack:
            return "markup"
        return "markup" if self.stack[-1][0] == "[" else "code"

    def run(self) -> None:
        text, index = self.text, 0
        while index < len(text):
            char = text[index]
            code = self.mode() == "code"
            if char == "\\" and not code:
                index += 2
                continue
            if text.startswith("//", index) and (code or not text[max(0, index - 1):index] == ":"):
                end = text.find("\n", index)
                index = len(text) if end < 0 else end
                continue
            if text.startswith("/*", index):
                index = self.block_comment(index)
                continue
            if char == "`":
                index = self.raw(index)
                continue
            if char == "\n" and self.stack and self.stack[-1][0] == "line":
                self.stack.pop()
                index += 1
                continue
            if code and char == '"':
                index = self.expression_end(self.string(index))
                continue
            if char == "$":
                index = self.math(index)
                continue
            if not code and char == "#":
                index = self.embedded(index + 1)
                continue
            if char == "[" or (code and char in "({"):
                self.stack.append((char, index, False))
            elif char == "]" or (code and char in ")}"):
                index = self.close(index, char)
                continue
            index += 1
        for opener, offset, _ in self.stack:
            if opener != "line":
                raise _Unbalanced(offset, f"the '{opener}' is never closed (add '{_CLOSERS[opener]}')")

    def close(self, index: int, char: str) -> int:
        open_groups = [g for g in self.stack if g[0] != "line"]
        while self.stack and self.stack[-1][0] == "line":  # a closing bracket ends a one-line statement inside
            self.stack.pop()
        if not open_groups:
            raise _Unbalanced(index, f"the '{char}' closes nothing (an opening bracket is missing, or write "
                                     f"\\{char} for the character itself)")
        opener, offset, expression = self.stack.pop()
        if _CLOSERS[opener] != char:
            raise _Unbalanced(index, f"the '{char}' does not match the '{opener}' at line "
                                     f"{_line_of(self.text, offset)} (expected '{_CLOSERS[opener]}')")
        return self.expression_end(index + 1) if expression else index + 1

    def embedded(self, index: int) -> int:
        """After '#' in markup: an identifier, a keyword statement, a string or a bracketed expression."""
        text = self.text
        if index >= len(text):
            return index
        char = text[index]
        if char in "({[":
            self.stack.append((char, index, True))
            return index + 1
        if char == '"':
            return self.expression_end(self.string(index))
        match = _IDENT_RE.match(text, index)
        if not match:
            return index
        if match.group() in _KEYWORDS:
            self.stack.append(("line", index, False))  # code until the end of the line
            return match.end()
        return self.expression_end(match.end())

    def expression_end(self, index: int) -> int:
        """Continue an embedded expression: .field, (arguments) and [content] directly after it."""
        if self.mode() == "code":
            return index
        text = self.text
        while index < len(text):
            if text[index] == "." and _IDENT_RE.match(text, index + 1):
                index = _IDENT_RE.match(text, index + 1).end()
                continue
            if text[index] in "([":
                self.stack.append((text[index], index, True))
                return index + 1
            break
        return index

    def string(self, index: int) -> int:
        end = index + 1
        while end < len(self.text):
            if self.text[end] == "\\":
                end += 2
                continue
            if self.text[end] == '"':
                return end + 1
            end += 1
        raise _Unbalanced(index, "the string '\"' is never closed (add '\"')")

    def raw(self, index: int) -> int:
        ticks = re.match(r"`+", self.text[index:]).group()
        if len(ticks) == 2:
            return index + 2  # `` is empty raw text
        end = self.text.find(ticks, index + len(ticks))
        if end < 0:
            raise _Unbalanced(index, f"the raw text opened with {ticks} is never closed (add {ticks})")
        return end + len(ticks)

    def math(self, index: int) -> int:
        end = index + 1
        while end < len(self.text):
            if self.text[end] == "\\":
                end += 2
                continue
            if self.text[end] == "$":
                return end + 1
            end += 1
        raise _Unbalanced(index, "the math opened with '$' is never closed (add '$', or write \\$ for a dollar)")

    def block_comment(self, index: int) -> int:
        depth, end = 0, index
        while end < len(self.text):
            if self.text.startswith("/*", end):
                depth, end = depth + 1, end + 2
            elif self.text.startswith("*/", end):
                depth, end = depth - 1, end + 2
                if depth == 0:
                    return end
            else:
                end += 1
        raise _Unbalanced(index, "the comment opened with '/*' is never closed (add '*/')")
