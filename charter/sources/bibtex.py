"""Scan BibTeX/BibLaTeX files enough to check citation keys and sort Table 1.

Not a full parser (pandoc's citeproc reads the bibliography for the
references themselves): a tolerant scanner that finds each entry
``@type{key, field = {…} | "…" | number | macro, …}``, follows brace nesting,
skips ``@comment``, ``@preamble`` and text outside entries (``%`` lines), expands
``@string`` macros, and reports a malformed entry with its line, then carries
on at the next line that starts with ``@``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from types import MappingProxyType

from charter import limits
from charter.model import Location, Problem, Reference

_NAME = re.compile(r"[A-Za-z0-9_:.+\-/]+")
_ENTRY_START = re.compile(r"\n[ \t]*@[A-Za-z]+[ \t]*[{(]")
_BLANKS = re.compile(r"\s*")  # \s is what str.isspace() calls space
_VALUE_MARKS = re.compile(r'[\\{}"\n]')  # the characters that can end, nest or escape within a field value
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# LaTeX accents and letters authors still type in .bib files: {\"o}, \'{e}, {\o}, {\aa}.
_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b", "k": "\u0328",
            "r": "\u030a", "d": "\u0323", "b": "\u0331"}
_LETTERS = {"o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "aa": "å", "AA": "Å", "oe": "œ", "OE": "Œ",
            "ss": "ß", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ"}
_ACCENT_COMMAND = re.compile(r"""\\([."'`^~=]|[cvuHkrdb](?=[\s{]))\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))""")
_LETTER_COMMAND = re.compile(r"\\(ae|AE|aa|AA|oe|OE|ss|[oOlLij])(?![A-Za-z])\s*")


def latex_to_unicode(text: str) -> str:
    """Turn LaTeX accents and braces into plain Unicode text: '{\\"O}sterberg' -> 'Österberg'."""
    def letter(match: re.Match) -> str:
        return _LETTERS[match.group(1)]

    def accent(match: re.Match) -> str:
        base = match.group(2) or match.group(3)
        base = _LETTERS.get(base[1:], base[1:]) if base.startswith("\\") else base
        return base + _ACCENTS[match.group(1)]

    text = _ACCENT_COMMAND.sub(accent, text)
    text = _LETTER_COMMAND.sub(letter, text)
    text = text.replace("\\&", "&").replace("--", "–").replace("~", " ")
    text = re.sub(r"\\[A-Za-z]+\s*", "", text)  # other commands (\textit …): keep their argument only
    text = text.replace("{", "").replace("}", "")
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text).strip())


def _split_top(text: str, separator: re.Pattern) -> list[str]:
    """Split text on separator matches that are not inside braces."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(text):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            match = separator.match(text, index)
            if match:
                parts.append(text[start:index])
                start = index = match.end()
                continue
        index += 1
    parts.append(text[start:])
    return parts


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_COMMA = re.compile(r",")
_SPACE = re.compile(r"\s+")


def family_name(name: str) -> str:
    """Family name of one BibTeX name: 'Family, Given', 'Given Family', '{Organisation Name}'."""
    name = name.strip()
    if name.startswith("{") and name.endswith("}") and _balanced(name[1:-1]):
        return latex_to_unicode(name)  # {World Health Organization}: one corporate name
    parts = _split_top(name, _COMMA)
    if len(parts) > 1:
        return latex_to_unicode(parts[0])
    words = [w for w in _split_top(name, _SPACE) if w]
    return latex_to_unicode(words[-1]) if words else ""


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def first_author(fields: dict[str, str]) -> str:
    """Family name of the first author, else of the first editor, else the title (for sorting)."""
    for role in ("author", "editor"):
        if fields.get(role, "").strip():
            return family_name(_split_top(fields[role].strip(), _AND)[0])
    return latex_to_unicode(fields.get("title", ""))


def family_names(fields: dict[str, str]) -> tuple[tuple[str, ...], bool]:
    """Family names of the authors (else the editors), and whether the list ends in 'and others'."""
    for role in ("author", "editor"):
        if fields.get(role, "").strip():
            names = [n for n in _split_top(fields[role].strip(), _AND) if n.strip()]
            others = bool(names) and names[-1].strip().lower() == "others"
            return tuple(family_name(n) for n in (names[:-1] if others else names)), others
    return (), False


def year_of(fields: dict[str, str]) -> str:
    """The year as written, from `year` or the start of a BibLaTeX `date`; 'n.d.' when neither."""
    if fields.get("year", "").strip():
        return latex_to_unicode(fields["year"])
    match = re.match(r"\s*(\d{4})", fields.get("date", ""))
    return match.group(1) if match else "n.d."


class _Malformed(Exception):
    """A mistake inside one entry: where, and what to say."""

    def __init__(self, position: int, message: str, key: str = ""):
        super().__init__(message)
        self.position = position
        self.message = message
        self.key = key


@dataclass
class _Scanner:
    path: str
    text: str
    line_starts: list[int]
    undefined: list[tuple[int, str, str]] = field(default_factory=list)  # (position, macro, field) not defined

    def line_column(self, position: int) -> tuple[int, int]:
        line = bisect_right(self.line_starts, position)
        return line, position - self.line_starts[line - 1] + 1

    def location(self, position: int) -> Location:
        return Location(self.path, *self.line_column(position))

    def skip_space(self, index: int) -> int:
        return max(index, _BLANKS.match(self.text, index).end())  # an index past the end stays as it is

    def _closing(self, index: int, closer: str) -> int | None:
        """Where the value that goes on at index closes (at ``closer``, '}' or '"', outside any braces); None
        when the text or the entry ends first. A backslash escapes the next character; braces nest.

        Jumps from one character that matters to the next (``_VALUE_MARKS``) rather than looking at
        each: on a 40 KB .bib file this is on the way to pandoc's start (tests/test_bibtex.py compares
        it with the character-by-character reading).
        """
        depth = 0
        text, marks = self.text, _VALUE_MARKS
        while True:
            found = marks.search(text, index)
            if found is None:
                return None
            index = found.start()
            char = text[index]
            if char == "\\":
                index += 2
                continue
            if char == closer and depth <= 0:  # a '}' at depth 0, or a '"' outside braces (depth 0 or below)
                return index
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char == "\n" and _ENTRY_START.match(text, index):
                return None  # the next entry starts: this value never closed
            index += 1

    def braced(self, index: int, field_name: str) -> tuple[str, int]:
        """Text inside the braces opening at index, and the index after the closing brace."""
        end = self._closing(index + 1, "}")
        if end is None:
            line = self.line_column(index)[0]
            raise _Malformed(index, f"unbalanced braces in field '{field_name}': the '{{' at line {line} is never "
                                    "closed; add the missing '}'")
        return self.text[index + 1:end], end + 1

    def quoted(self, index: int, field_name: str) -> tuple[str, int]:
        end = self._closing(index + 1, '"')
        if end is None:
            raise _Malformed(index, f"field '{field_name}': the quote '\"' is never closed; add the closing '\"'")
        return self.text[index + 1:end], end + 1

    def value(self, index: int, field_name: str, macros: dict[str, str]) -> tuple[str, int]:
        """A field value: pieces in braces, quotes, numbers or macro names joined by '#'."""
        pieces = []
        while True:
            index = self.skip_space(index)
            char = self.text[index:index + 1]
            if char == "{":
                piece, index = self.braced(index, field_name)
            elif char == '"':
                piece, index = self.quoted(index, field_name)
            else:
                match = _NAME.match(self.text, index)
                if not match:
                    raise _Malformed(index, f"field '{field_name}' has no value: write {field_name} = {{…}}")
                word = match.group()
                if word.lower() not in macros and not word.isdigit():
                    self.undefined.append((index, word, field_name))
                piece = macros.get(word.lower(), word)
                index = match.end()
            pieces.append(piece)
            after = self.skip_space(index)
            if self.text[after:after + 1] != "#":
                return "".join(pieces), index
            index = after + 1


def _string_macros() -> dict[str, str]:
    return {month: month.capitalize() for month in _MONTHS}


def scan_bibtex(path: str, text: str) -> tuple[list[Reference], list[Problem]]:
    """Find the entries of one .bib file (path relative to the project) and the mistakes in it."""
    scanner = _Scanner(path, text, [0] + [m.end() for m in re.finditer("\n", text)])
    references: list[Reference] = []
    problems: list[Problem] = []
    macros = _string_macros()
    seen: dict[str, Location] = {}
    index = 0
    while True:
        at = text.find("@", index)
        if at < 0:
            break
        entry_type_match = re.compile(r"@\s*([A-Za-z]+)\s*([{(])").match(text, at)
        if not entry_type_match:
            # an '@' in free text between entries (e.g. an e-mail in a comment) is not an entry
            line_start = text.rfind("\n", 0, at) + 1
            if text[line_start:at].strip() == "":
                problems.append(Problem(scanner.location(at), "",
                                        "an entry must start '@type{key,' (e.g. @article{smith2020,)"))
            index = at + 1
            continue
        entry_type = entry_type_match.group(1).lower()
        opener = entry_type_match.group(2)
        closer = "}" if opener == "{" else ")"
        body = entry_type_match.end()
        try:
            if entry_type in ("comment", "preamble"):
                if opener == "{":
                    _, index = scanner.braced(body - 1, "@" + entry_type)
                else:
                    index = text.find(")", body) + 1 or len(text)
                continue
            if entry_type == "string":
                index = _scan_string(scanner, body, closer, macros)
                continue
            reference, index, entry_problems = _scan_entry(scanner, at, body, entry_type, closer, macros)
            problems.extend(entry_problems)
            if reference is None:
                continue
            if reference.key in seen:
                first = seen[reference.key]
                problems.append(Problem(reference.location, reference.key,
                                        f"duplicate citation key '{reference.key}' (first at line {first.line}): "
                                        "give each entry its own key or delete the copy"))
                continue
            seen[reference.key] = reference.location
            references.append(reference)
        except _Malformed as mistake:
            problems.append(Problem(scanner.location(mistake.position), mistake.key or _key_near(text, body),
                                    mistake.message))
            next_entry = _ENTRY_START.search(text, max(mistake.position - 1, at + 1))
            index = next_entry.start() + 1 if next_entry else len(text)
    if not references and not problems:
        problems += file_problems(path, text, references)
    if len(problems) > _MOST_PROBLEMS:  # a file this broken is mended from its first mistakes, not its 100,000th
        problems = problems[:_MOST_PROBLEMS] + [Problem(problems[_MOST_PROBLEMS].location, "",
                                                        f"… and {len(problems) - _MOST_PROBLEMS:,} more problems in "
                                                        "this file from here on; mend the ones above first")]
    return references, problems


_MOST_PROBLEMS = 100


def _key_near(text: str, body: int) -> str:
    match = re.compile(r"\s*([^\s,{}()=\"#%]+)\s*,").match(text, body)
    return match.group(1) if match else ""


def _scan_string(scanner: _Scanner, index: int, closer: str, macros: dict[str, str]) -> int:
    index = scanner.skip_space(index)
    name = _NAME.match(scanner.text, index)
    if not name:
        raise _Malformed(index, "@string needs a name: @string{name = {value}}")
    index = scanner.skip_space(name.end())
    if scanner.text[index:index + 1] != "=":
        raise _Malformed(index, f"@string{{{name.group()} …}}: expected '=' after the name")
    value, index = scanner.value(index + 1, name.group(), macros)
    macros[name.group().lower()] = value
    index = scanner.skip_space(index)
    if scanner.text[index:index + 1] != closer:
        raise _Malformed(index, f"@string{{{name.group()} …}}: expected '{closer}' after the value")
    return index + 1


def _scan_entry(scanner: _Scanner, at: int, index: int, entry_type: str, closer: str,
                macros: dict[str, str]) -> tuple[Reference | None, int, list[Problem]]:
    text = scanner.text
    where = scanner.location(at)
    problems: list[Problem] = []
    index = scanner.skip_space(index)
    key_match = re.compile(r"[^\s,{}()=\"#%]+").match(text, index)
    after_key = scanner.skip_space(key_match.end()) if key_match else index
    if not key_match or text[after_key:after_key + 1] == "=":
        raise _Malformed(index, f"@{entry_type} entry has no citation key: write @{entry_type}{{key, …}}")
    key = key_match.group()
    index = after_key
    fields: dict[str, str] = {}
    undefined_before = len(scanner.undefined)
    if text[index:index + 1] == closer:
        index += 1
    elif text[index:index + 1] != ",":
        raise _Malformed(key_match.end(), f"missing comma after the key '{key}': write @{entry_type}{{{key}, …",
                         key)
    else:
        index += 1
        while True:
            index = scanner.skip_space(index)
            char = text[index:index + 1]
            if char == closer:
                index += 1
                break
            if not char:
                raise _Malformed(at, f"entry '{key}' is not closed: add '{closer}' at its end")
            if char == "@" and _ENTRY_START.match("\n" + text[index:index + 40]):
                raise _Malformed(at, f"entry '{key}' is not closed before the next entry starts: "
                                     f"add '{closer}' at its end")
            name_match = _NAME.match(text, index)
            if not name_match:
                raise _Malformed(index, f"entry '{key}': expected a field name (e.g. title = {{…}}) "
                                        f"but found '{text[index]}'")
            name = name_match.group().lower()
            index = scanner.skip_space(name_match.end())
            if text[index:index + 1] != "=":
                raise _Malformed(index, f"entry '{key}': expected '=' after the field name '{name}'")
            value_start = index + 1
            value, index = scanner.value(value_start, name, macros)
            value_end = index
            if name in fields:
                problems.append(Problem(scanner.location(name_match.start()), key,
                                        f"field '{name}' is given twice in entry '{key}': keep one"))
            if len(value) > limits.BIB_FIELD_CHARACTERS:
                problems.append(Problem(scanner.location(name_match.start()), key,
                                        f"field '{name}' of entry '{key}' is {len(value):,} characters long, over "
                                        f"Charter's limit of {limits.BIB_FIELD_CHARACTERS:,}; shorten it (or delete "
                                        "it: a bibliography needs no full text)"))
                value = ""
            fields[name] = value.strip()
            index = scanner.skip_space(index)
            char = text[index:index + 1]
            if char == ",":
                index += 1
            elif char != closer:
                following = _NAME.match(text, index)
                if following and text[scanner.skip_space(following.end()):][:1] == "=":
                    # tolerate it, but say so: BibTeX itself would stop reading here
                    problems.append(Problem(scanner.location(value_end), key,
                                            f"missing comma after field '{name}' in entry '{key}'"))
                    continue
                if char == "@":
                    raise _Malformed(at, f"entry '{key}' is not closed before the next entry (line "
                                         f"{scanner.line_column(index)[0]}): check that each '{{' in its "
                                         f"fields has its '}}' and that the entry ends with '{closer}'")
                raise _Malformed(index, f"entry '{key}': expected ',' or '{closer}' after field '{name}'")
    if not fields.get("author", "").strip() and not fields.get("editor", "").strip() \
            and not fields.get("title", "").strip():
        problems.append(Problem(where, key, f"entry '{key}' has neither author nor title: add at least one"))
    for position, word, field_name in scanner.undefined[undefined_before:]:
        problems.append(Problem(scanner.location(position), key,
                                f"field '{field_name}' of entry '{key}' is the macro '{word}', which no @string "
                                f"defines (it would print as '{word}'); put the text in braces, "
                                f"{field_name} = {{…}}, or define it with @string{{{word} = {{…}}}}"))
    problems += _fields_after_end(scanner, index, key)
    reference = Reference(key=key, entry_type=entry_type, first_author=first_author(fields),
                          year=year_of(fields), fields=MappingProxyType(fields), location=where)
    return reference, index, problems


# ------------------------------------------------------------------ hygiene


_DOI_URL = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)(?P<doi>10\.\S+)\s*$", re.I)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def hygiene_warnings(reference: Reference, lines: list[str]) -> list[Problem]:
    """Warnings about an entry pandoc reads but prints wrongly: a DOI written as a URL, no year.

    ``lines`` are the .bib file's lines, to point at the field's own line.
    """
    key, fields = reference.key, reference.fields
    problems = []
    doi = fields.get("doi", "")
    if doi:
        where = field_location(reference, lines, "doi")
        match = _DOI_URL.match(doi)
        if match:
            problems.append(Problem(where, key, f"the doi of entry '{key}' is written as a link ('{doi}'), so it "
                                    f"prints as 'doi:{doi}'; keep only the DOI itself: doi = {{{match.group('doi')}}}",
                                    severity="warning"))
        elif not _DOI.match(doi.strip()):
            problems.append(Problem(where, key, f"the doi of entry '{key}' ('{doi[:60]}') does not look like a DOI; "
                                    "a DOI starts with 10. and a slash follows the prefix, e.g. "
                                    "10.1080/2156857X.2020.1777188", severity="warning"))
    if not fields.get("year", "").strip() and not fields.get("date", "").strip() and "crossref" not in fields:
        problems.append(Problem(reference.location, key, f"entry '{key}' has no year (nor date), so it prints "
                                "'n.d.'; add year = {…}", severity="warning"))
    return problems


def field_location(reference: Reference, lines: list[str], name: str) -> Location:
    """The line of a field of the entry (the entry's own line when it cannot be found)."""
    where = reference.location
    pattern = re.compile(rf"\s*{re.escape(name)}\s*=", re.I)
    for number in range(max(where.line - 1, 0), min(len(lines), where.line + 80)):
        if pattern.match(lines[number]) or (number == where.line - 1 and re.search(
                rf"[,{{]\s*{re.escape(name)}\s*=", lines[number], re.I)):
            return Location(where.path, number + 1)
    return where


def _fields_after_end(scanner: _Scanner, end: int, key: str) -> list[Problem]:
    """An extra '}' closes an entry early and the fields after it are silently lost: say so at that brace."""
    text = scanner.text
    following = _ENTRY_START.search(text, end)
    stop = following.start() if following else len(text)
    lost = re.findall(r"(?m)^[ \t,]*([A-Za-z][\w:.+\-/]*)\s*=", text[end:stop])
    if not lost:
        return []
    names = ", ".join(dict.fromkeys(name.lower() for name in lost))
    return [Problem(scanner.location(end - 1), key, f"entry '{key}' ends here, but fields follow it ({names}) "
                    "and are lost: an extra '}' closes the entry early; remove it")]


def check_crossrefs(references: dict[str, Reference]) -> list[Problem]:
    """Each crossref = {key} names an entry of the bibliography (the fields it inherits come from there)."""
    problems = []
    for reference in references.values():
        target = reference.fields.get("crossref", "").strip()
        if target and target not in references:
            problems.append(Problem(reference.location, reference.key,
                                    f"entry '{reference.key}' has crossref = {{{target}}}, but no entry has the key "
                                    f"'{target}' (the fields it would inherit, such as the book title and year, "
                                    "are missing); add that entry or correct the key"))
    return problems


def file_problems(path: str, text: str, references: list[Reference]) -> list[Problem]:
    """A .bib file with no entry at all: one error naming the file, instead of one per citation key."""
    if references:
        return []
    if not text.strip():
        return [Problem(Location(path, 1), "", "the bibliography file is empty: export the references from "
                        "your reference manager as BibTeX into it, or delete the file")]
    first = next((n for n, line in enumerate(text.split("\n"), start=1) if line.strip()
                  and not line.lstrip().startswith("%")), 1)
    if re.search(r"@\s*string\s*[{(]", text, re.I):
        return []  # a file of @string macros only: no entries is what it should have
    return [Problem(Location(path, first), "", "no BibTeX entry found in this file (an entry starts "
                    "'@article{key,'); is it a BibTeX export? Citation keys are not checked until it is readable")]


def unreadable_bib_files(project) -> tuple[str, ...]:
    """The .bib files that gave no entry because of an error: citation keys cannot be checked against them."""
    with_entries = {r.location.path for r in project.bibliography.references.values()}
    broken = {p.location.path for p in project.problems if p.severity == "error"}
    return tuple(f for f in project.bibliography.files if f not in with_entries and f in broken)


# Words of a title that pandoc turns to lowercase when it reads a BibTeX title for a style that prints titles in
# sentence case: a capitalised word (first letter only) that does not start the title or a sentence in it,
# outside braces. Acronyms (COVID-19, mRNA) and braced words ({Taiwan}) keep their case.
_SENTENCE_END = re.compile(r"[.:?!]$")


def lowercased_words(title: str, langid: str = "", proper_nouns: frozenset[str] = frozenset()) -> list[str]:
    """The words of a BibTeX title whose capital a sentence-case style would lose and that need it, in order.

    In a title written in sentence case every such word is meant (a name, a
    place); in a title written in Title Case most are not (the style is meant
    to lowercase "Social Support"), so there only the ``proper_nouns`` given
    (casefolded: countries, names seen capitalised in other titles) count.
    """
    if langid.strip() and not langid.strip().lower().startswith(("english", "american", "british", "en")):
        return []  # pandoc keeps the case of a title in another language
    changed: list[str] = []
    lowercase = 0
    for token in _unprotected_words(title):
        parts = [part for part in re.split(r"[-–/]", token) if part]
        if any(p[:1].isupper() and not any(c.isupper() for c in p[1:]) for p in parts):
            changed.append(token)
        elif len(token) > 3 and token[:1].islower():
            lowercase += 1
    title_case = len([w for w in changed if len(w) > 3]) > lowercase
    if title_case:
        changed = [w for w in changed if w.casefold() in proper_nouns]
    return list(dict.fromkeys(changed))


def _unprotected_words(title: str) -> list[str]:
    """The words of a title outside braces that do not start it or a sentence in it (punctuation stripped)."""
    words: list[str] = []
    depth, token, start_of_sentence = 0, "", True
    for char in title + " ":
        if char == "{":
            depth += 1
            token = "{"  # a braced word is protected
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char.isspace() and depth == 0:
            if token:
                word = token.strip(".,;:?!()\"'“”‘’")
                if not start_of_sentence and word and "{" not in token and "\\" not in token:
                    words.append(word)
                start_of_sentence = bool(_SENTENCE_END.search(token))
            token = ""
        elif depth == 0 or token.startswith("{"):
            token += char
    return words
