"""charter.sources.wellformed against the real judges: Typst's own parser, and Word's XML (lxml, as finish_docx reads it).

The Typst check is lexical; it must agree with Typst on whether a raw block,
spliced into a document as pandoc splices it (inside a content block), breaks
the document's structure. The snippets were written for this test, not taken
from the check's own rules.
"""

from __future__ import annotations

import pytest

from charter.sources.wellformed import check_structure, openxml_problem, typst_problem

# Raw Typst as an author might write it: (snippet, whether Typst must refuse it as malformed)
TYPST_SNIPPETS = [
    ("abc ] def", True), ("abc [ def", True), ("abc ( def", False), ("abc { def } }", False),
    ('#let s = "a]b"\n#s', False), ('#let s = "abc\nmore', True), ("#set text(fill: red)\nhello", False),
    ("#text(fill: red)[abc", True), ("$[0, 1)$ ok", False), ("$x + y", True), ("`a ] b` and ```\n]\n```", False),
    ("see https://x.org/a]b", True), ("// a ] b\n/* ] */ ok", False), ("#{ let x = (1, 2); [a] }", False),
    ("#(1 + 2))", False), ("#text[a [b] c]", False), ("#text[a [ b]", True), ("a [b] ]", True),
    ("#{ let x = 1", True), ("#f(a]", True), ('a "b ] c', True), (r"a \] b", False),
    ('#let s = "a\\"b"\n#s', False), ("#show heading: set text(red)\n= A", False), ("#let f(x) = x\n(a", False),
    ("a `b", True), ("a /* b", True), (r"costs \$5 and ] ", True), ('#"a]".len()', False),
    ("#let d = (a: [x], b: 2)\n#d.a", False), ("#set page(flipped: true)", False),
    ("#box(width: 1fr)[a] #h(1em) b", False), ("#text(red)[a].b [c]", False), ("#if true [a] else [b]", False),
    ("#if true { [a] } else {\n [b]\n}", False), ("#for x in (1, 2) [#x]", False), ("#emph[a] ]", True),
    ("#let f = x => [#x]\n#f(1)", False), ('#("a" + "]")', False),
    ("#align(center)[#table(columns: 2, [a], [b])]", False), ("#v(1em) ) ( }", False), ("#strong[x", True),
    ('#f("(")', False), ('#f(")"', True), ("#let a = 1 // ] x\n#a", False),
]


def _typst_refuses(tmp_path, snippet: str) -> bool:
    typst = pytest.importorskip("typst")
    source = tmp_path / "probe.typ"
    # as in build/manuscript.typ: the raw block sits inside content, after the template's definitions
    source.write_text("#let f(..args) = none\n#block[\n" + snippet + "\n]\n", encoding="utf-8")
    try:
        typst.compile(str(source), root=str(tmp_path))
    except typst.TypstError as error:
        text = str(error)
        return any(word in text for word in ("unclosed", "unexpected closing", "expected"))
    return False


@pytest.mark.parametrize("snippet, malformed", TYPST_SNIPPETS)
def test_typst_check_agrees_with_typst(tmp_path, snippet, malformed):
    assert _typst_refuses(tmp_path, snippet) == malformed, "the expectation in this table is wrong"
    assert (typst_problem(snippet) is not None) == malformed


def test_typst_problem_says_what_and_where():
    assert typst_problem("#text(fill: red)[\nabc\n") == (1, "the '[' is never closed (add ']')")
    assert typst_problem("ok\n#f(a]") == (2, "the ']' does not match the '(' at line 2 (expected ')')")


OPENXML_SNIPPETS = [
    ('<w:p><w:r><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p>', None),
    ('<w:p><w:r><w:br w:type="page"/></w:r></w:p>', None),
    ("<w:p><w:r>", (1, "a tag is not closed")),
    ("<w:p>\n<w:r>\n</w:p>", (3, "mismatched tag")),
    ("<w:p>a&nbsp;b</w:p>", (1, "an entity such as &nbsp; is not XML: write the character itself, or &amp; &lt; &gt;")),
    ('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:p>&x;</w:p>',
     (1, "a DOCTYPE or ENTITY declaration is not allowed in a raw block")),
]


@pytest.mark.parametrize("snippet, expected", OPENXML_SNIPPETS)
def test_openxml_check(snippet, expected):
    assert openxml_problem(snippet) == expected


@pytest.mark.parametrize("snippet", [s for s, expected in OPENXML_SNIPPETS if expected is None])
def test_accepted_openxml_is_accepted_by_lxml_in_a_word_body(snippet):
    etree = pytest.importorskip("lxml.etree")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    etree.fromstring(f'<w:body xmlns:w="{w}">{snippet}</w:body>'.encode())


def test_structure_errors_are_at_the_opening_line():
    text = "# A\n\nText.\n\n<!-- hidden\n\nmore\n"
    assert [str(p) for p in check_structure("m.md", text)] == [
        "m.md:5:1: the comment opened with '<!--' at line 5 is never closed, so everything after it is hidden from "
        "the manuscript; add '-->' where the comment ends"]
    assert [p.location.line for p in check_structure("m.md", "x\n\n```{=typst}\n#f(\n```\n\n::: {.a}\n")] == [4, 7]


def test_what_looks_like_structure_inside_code_is_code():
    text = "```\n<!-- not a comment\n:::\n```\n\n`<!--` inline and <!-- closed --> fine\n\n~~~~\n```\n~~~~\n"
    assert check_structure("m.md", text) == []
