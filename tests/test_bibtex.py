"""The tolerant BibTeX scanner: entries, names for sorting, and malformed entries with their lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from charter.sources import bibtex
from charter.sources.bibtex import family_name, first_author, latex_to_unicode, lowercased_words, scan_bibtex
from charter.sources.load import load_bibliography
from conftest import write_files


def scan(text: str):
    references, problems = scan_bibtex("bib/refs.bib", textwrap.dedent(text).lstrip("\n"))
    return {r.key: r for r in references}, [str(p) for p in problems]


def test_entries_fields_and_lines():
    references, problems = scan("""
        % a comment line with an @ sign: someone@example.org
        @string{nswr = "Nordic Social Work Research"}
        @comment{anything {goes} here}
        @preamble{"\\newcommand{\\noop}[1]{}"}

        @Article{berg2018,
          author  = {Berg, Øystein and Sæther, Åse},
          title   = {Friends {and} recovery},
          journal = nswr # { (online)},
          year    = 2018,
          pages   = "12--20",
        }
        @book(li2020,
          author = {李, 明},
          title = {中文书名},
          year = {2020}
        )
        """)
    assert problems == []
    assert list(references) == ["berg2018", "li2020"]
    berg = references["berg2018"]
    assert (berg.entry_type, berg.first_author, berg.year, str(berg.location)) == (
        "article", "Berg", "2018", "bib/refs.bib:6:1")
    assert berg.fields["journal"] == "Nordic Social Work Research (online)"
    assert berg.fields["title"] == "Friends {and} recovery"  # inner braces kept for citeproc
    assert berg.fields["pages"] == "12--20"
    assert berg.fields["author"] == "Berg, Øystein and Sæther, Åse"
    li = references["li2020"]
    assert (li.entry_type, li.first_author, li.fields["title"], str(li.location)) == (
        "book", "李", "中文书名", "bib/refs.bib:13:1")


@pytest.mark.parametrize("name, family", [
    pytest.param("Andrea, Sarah B.", "Andrea", id="family-comma-given"),
    pytest.param("Sarah B. Andrea", "Andrea", id="given-family"),
    pytest.param("{World Health Organization}", "World Health Organization", id="corporate"),
    pytest.param('{\\"O}sterberg, Karin', "Österberg", id="braced-accent"),
    pytest.param('M\\"{u}ller, Jan', "Müller", id="accent-with-braced-letter"),
    pytest.param("Kn{\\o}ss, Per", "Knøss", id="slashed-o"),
    pytest.param("{\\AA}sberg, Hans", "Åsberg", id="a-ring"),
    pytest.param("\\'{E}mile Zola", "Zola", id="given-family-accent"),
    pytest.param("Bjørlykhaug, Knut Ivar", "Bjørlykhaug", id="unicode"),
    pytest.param("den Dunnen, Wendy", "den Dunnen", id="particle"),
    pytest.param("Forrester-Jones, Rachel", "Forrester-Jones", id="hyphen"),
])
def test_family_name(name, family):
    assert family_name(name) == family


def test_first_author_falls_back_to_editor_then_title():
    assert first_author({"author": "Smith, A. and Jones, B."}) == "Smith"
    assert first_author({"author": "{Smith and Sons} and Jones, B."}) == "Smith and Sons"
    assert first_author({"editor": "Karlsson, Bengt and Borg, Marit"}) == "Karlsson"
    assert first_author({"title": "{Mental} health atlas"}) == "Mental health atlas"


def test_latex_to_unicode():
    assert latex_to_unicode(r"S{\ae}l{\o}r and {\"A}ngel \c{c}a \v{s}") == "Sælør and Ängel ça š"


def test_year_missing_or_from_date():
    references, problems = scan("""
        @misc{a, title = {No year}}
        @online{b, title = {Dated}, date = {2019-05-01}}
        """)
    assert problems == []
    assert (references["a"].year, references["b"].year) == ("n.d.", "2019")


MALFORMED = [
    pytest.param(
        """
        @article{a2
          author = {X, Y},
        }
        """,
        ["bib/refs.bib:1:12: a2: missing comma after the key 'a2': write @article{a2, …"],
        id="missing-comma-after-key"),
    pytest.param(
        """
        @article{,
          title = {No key},
        }
        """,
        ["bib/refs.bib:1:10: @article entry has no citation key: write @article{key, …}"],
        id="missing-key"),
    pytest.param(
        """
        @article{a3,
          title = {Unbalanced {braces},
          year = {2020},
        }
        @article{ok, title = {Fine}}
        """,
        ["bib/refs.bib:1:1: a3: entry 'a3' is not closed before the next entry (line 5): check that each '{' "
         "in its fields has its '}' and that the entry ends with '}'"],
        id="unbalanced-braces-before-next-entry"),
    pytest.param(
        """
        @article{a6,
          title = {Open {brace,
          year = {2020},

        @article{ok, title = {Fine}}
        """,
        ["bib/refs.bib:2:11: a6: unbalanced braces in field 'title': the '{' at line 2 is never closed; "
         "add the missing '}'"],
        id="unbalanced-braces-in-a-field"),
    pytest.param(
        """
        @article{a4,
          author = {Z, Q}
          title = {missing comma}
        }
        """,
        ["bib/refs.bib:2:18: a4: missing comma after field 'author' in entry 'a4'"],
        id="missing-comma-between-fields"),
    pytest.param(
        """
        @article{a8, title = "quote}
        @article{ok, title = {Fine}}
        """,
        ["bib/refs.bib:1:22: a8: field 'title': the quote '\"' is never closed; add the closing '\"'"],
        id="unclosed-quote"),
    pytest.param(
        """
        @misc{a5, year = {2020}, url = {https://example.org}}
        """,
        ["bib/refs.bib:1:1: a5: entry 'a5' has neither author nor title: add at least one"],
        id="no-author-no-title"),
    pytest.param(
        """
        @article{a1, title = {One}}
        @article{a1, title = {Two}}
        """,
        ["bib/refs.bib:2:1: a1: duplicate citation key 'a1' (first at line 1): give each entry its own key or "
         "delete the copy"],
        id="duplicate-key-in-a-file"),
    pytest.param(
        """
        @article{a9, title = {One}, title = {Two}}
        """,
        ["bib/refs.bib:1:29: a9: field 'title' is given twice in entry 'a9': keep one"],
        id="duplicate-field"),
    pytest.param(
        """
        @article{a10, title = {Never closed},
        """,
        ["bib/refs.bib:1:1: a10: entry 'a10' is not closed: add '}' at its end"],
        id="entry-never-closed"),
]


@pytest.mark.parametrize("text, expected", MALFORMED)
def test_malformed_entries(text, expected):
    references, problems = scan(text)
    assert problems == expected


def test_scanning_carries_on_after_a_malformed_entry():
    references, problems = scan("""
        @article{a3,
          title = {Unbalanced {braces},
        }
        @article{,
          title = {No key},
        }
        @article{ok, author = {Berg, Ø.}, title = {Fine}}
        """)
    assert len(problems) == 2
    assert list(references) == ["ok"]


def test_bib_file_not_utf8(tmp_path):
    write_files(tmp_path, {"bib/old.bib": "@article{a, author = {M\u00fcller, J.}, title = {T}}\n".encode("latin-1")})
    bibliography, problems = load_bibliography(tmp_path)
    assert [str(p) for p in problems] == [
        "bib/old.bib:1:24: the file is not UTF-8 text: byte 0xfc at line 1 cannot be read; save the file with "
        "UTF-8 encoding (in most editors: Save As → Encoding → UTF-8)"]
    assert bibliography.references == {}


BIB_PIECES = ["@article{", "@string{", "@comment{", "key", ",", "author = ", "title = ", "{", "}", '"', "#", "=",
              "2020", "\n", " ", "%", "@", "(", ")", "\\\"o", "Ø"]


@given(st.lists(st.sampled_from(BIB_PIECES), max_size=40).map("".join))
@settings(max_examples=300, deadline=None)
def test_any_text_gives_entries_or_problems_never_an_exception(text):
    references, problems = scan_bibtex("bib/x.bib", text)
    lines = text.count("\n") + 1
    assert all(1 <= p.location.line <= lines for p in problems)
    assert all(1 <= r.location.line <= lines for r in references)


# ------------------------------------------------------------------ hygiene (issue 10, item 7)



@pytest.mark.parametrize("title, langid, names, expected", [
    # what pandoc (checked with APA) prints in lowercase: capitalised words not at a sentence start, unbraced
    pytest.param("Contact tracing of COVID-19 in Taiwan", "", (), ["Taiwan"], id="sentence-case-place"),
    pytest.param("Contact tracing in {Taiwan}", "", (), [], id="braced"),
    pytest.param("Vitamin A and mRNA in X-ray images", "", (), ["A", "X-ray"], id="letters-and-hyphens"),
    pytest.param("Support: Family conferencing. Results in Oslo", "", (), ["Oslo"], id="sentence-starts-kept"),
    pytest.param("Sosial støtte i Norge", "norwegian", (), [], id="other-language"),
    pytest.param("Contact tracing in Taiwan", "english", (), ["Taiwan"], id="english-langid"),
    pytest.param("Social Support and Mental Health Among Adults", "", (), [], id="title-case-no-names"),
    pytest.param("Social Support Among Adults in Taiwan", "", ("taiwan",), ["Taiwan"], id="title-case-known-place"),
])
def test_words_a_sentence_case_style_lowercases(title, langid, names, expected):
    assert lowercased_words(title, langid, frozenset(names)) == expected


def test_an_extra_closing_brace_is_reported_where_it_ends_the_entry():
    text = "@article{a1,\n  title = {A}},\n  year = {2020},\n  doi = {10.1/x},\n}\n"
    references, problems = scan_bibtex("bib/refs.bib", text)
    assert [str(p) for p in problems] == [
        "bib/refs.bib:2:14: a1: entry 'a1' ends here, but fields follow it (year, doi) and are lost: an extra '}' "
        "closes the entry early; remove it"]
    assert references[0].year == "n.d."


def test_an_undefined_macro_is_an_error_and_a_defined_one_is_not():
    text = "@string{jad = {Journal of Affective Disorders}}\n@article{a1, title = {A}, journal = jad, month = mar,\n" \
           "  publisher = nosuch, year = 2020}\n"
    references, problems = scan_bibtex("bib/refs.bib", text)
    assert references[0].fields["journal"] == "Journal of Affective Disorders"
    assert [(p.location.line, p.location.column) for p in problems] == [(3, 15)]
    assert "the macro 'nosuch', which no @string defines" in problems[0].message


# ---- the scanner's fast steps read a .bib file as the character-by-character reading did
# (they jump to the next brace, quote, backslash or line end, and over spaces with a regex, because
# the scan of the bibliography comes before pandoc starts: docs/performance.md, issue 13 part 6)

def _closing_one_by_one(scanner, index: int, closer: str):
    """The reading before: one character at a time."""
    depth = 0
    while index < len(scanner.text):
        char = scanner.text[index]
        if char == "\\":
            index += 2
            continue
        if char == closer and (depth == 0 if closer == "}" else depth <= 0):
            return index
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "\n" and bibtex._ENTRY_START.match(scanner.text, index):
            return None
        index += 1
    return None


def _skip_space_one_by_one(scanner, index: int) -> int:
    while index < len(scanner.text) and scanner.text[index].isspace():
        index += 1
    return index


_PIECES = st.sampled_from(["@article{k1,", "@book(k2,", "@string{m = ", "\n@misc{k3, ", " author = ", "title=",
                           "{", "}", "{", "}", '"', '"', "\\", "\\{", "\\}", '\\"', "\n", "\r\n", " ", "\t", "\u00a0",
                           "\u2003", "\u200b", "\x1c", " and ", "Øyvind", "x", "2020", ",", "#", "=", "@", "(", ")",
                           "%"])
_BIB_TEXTS = st.lists(_PIECES, max_size=80).map("".join)


@settings(max_examples=400, deadline=None)
@given(_BIB_TEXTS)
def test_the_fast_scan_reads_any_text_as_the_character_by_character_scan(text):
    fast = scan_bibtex("bib/refs.bib", text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bibtex._Scanner, "_closing", _closing_one_by_one)
        patch.setattr(bibtex._Scanner, "skip_space", _skip_space_one_by_one)
        slow = scan_bibtex("bib/refs.bib", text)
    assert fast[0] == slow[0]
    assert [str(p) for p in fast[1]] == [str(p) for p in slow[1]]


@settings(max_examples=300, deadline=None)
@given(_BIB_TEXTS, st.integers(0, 90), st.sampled_from(["}", '"']))
def test_a_value_closes_where_it_did_and_spaces_end_where_they_did(text, index, closer):
    scanner = bibtex._Scanner("bib/refs.bib", text, [0])
    assert scanner._closing(index, closer) == _closing_one_by_one(scanner, index, closer)
    assert scanner.skip_space(index) == _skip_space_one_by_one(scanner, index)


def test_the_regex_space_is_what_python_calls_space():
    spaces = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert bibtex._BLANKS.match(spaces).end() == len(spaces)
    others = [chr(c) for c in range(0x110000) if not chr(c).isspace()]
    assert all(bibtex._BLANKS.match(c).end() == 0 for c in others[:: 97] + ["x", "\u200b", "\x00"])


def test_the_example_bibliographies_read_as_before():
    root = Path(__file__).resolve().parents[1]
    files = [*root.glob("bib/*.bib"), *root.glob("examples/*/bib/*.bib")]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = scan_bibtex(path.name, text)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(bibtex._Scanner, "_closing", _closing_one_by_one)
            patch.setattr(bibtex._Scanner, "skip_space", _skip_space_one_by_one)
            slow = scan_bibtex(path.name, text)
        assert fast[0] == slow[0] and [str(p) for p in fast[1]] == [str(p) for p in slow[1]], path
