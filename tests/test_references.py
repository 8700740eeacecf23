"""Bibliographies as people export them: Zotero Better BibTeX, BibLaTeX, CSL JSON and RIS, read as they are."""

from __future__ import annotations

import io
import json

import docx
import pytest

from charter.compile.build import build
from charter.checking.check import main as check
from charter.start.init import init_review
from charter.sources.load import load_bibliography, load_project
from conftest import write_files

# Zotero's Better BibTeX export: LaTeX escapes, protected capitals in double braces, BibLaTeX date/journaltitle.
BETTER_BIBTEX = r"""
@article{ovrebo_social_2017,
	title = {Social support and {{Recovery}}: a {Nordic} study},
	shorttitle = {Social support},
	journaltitle = {Nordic Social Work Research},
	author = {{\O}vreb{\o}, Kari and M{\"u}ller, J{\"o}rg},
	date = {2017-03},
	volume = {12},
	number = {3},
	pages = {1--20},
	doi = {10.1000/xyz},
	file = {Full Text:/home/x/Zotero/storage/ABC/file.pdf:application/pdf}
}

@report{who_mental_2019,
	title = {Mental Health Atlas},
	author = {{World Health Organization}},
	date = {2019},
	institution = {WHO}
}
"""

CSL_JSON = [
    {"id": "garcia_peer_2015", "type": "article-journal", "title": "Peer support in community care",
     "container-title": "Psychiatric Services", "author": [{"family": "García", "given": "Ana"}],
     "issued": {"date-parts": [[2015, 6]]}, "DOI": "10.2000/peer"},
    {"id": "nguyen_2012", "type": "book", "title": "Recovery", "author": [{"literal": "Nguyen Group"}],
     "issued": {"raw": "2012"}},
]

RIS = """TY  - JOUR
AU  - Kowalski, Piotr
AU  - Hansen, Liv
TI  - Housing first and social networks
T2  - Community Mental Health Journal
PY  - 2018
DO  - 10.3000/housing
ER  - 

TY  - JOUR
ID  - okafor2020
AU  - Okafor, Chidi
TI  - Support groups
PY  - 2020
ER  - 
"""

KEYS = ["ovrebo_social_2017", "who_mental_2019", "garcia_peer_2015", "nguyen_2012", "Kowalski_Hansen_2018",
        "okafor2020"]


def study(key: str, country: str = "Norway") -> str:
    return (f"id: {key}\ntheme: main\ncountry: {country}\ndesign:\n  orientation: qualitative\n  method: Interviews\n"
            f"research_question: What helps?\nparticipants:\n  description: Adults\n  n: 12\nfindings:\n"
            f"  - Support helped.\nvalidity:\n  internal: Small.\n  external: One site.\nkeywords: [support]\n")


@pytest.fixture
def review(tmp_path):
    root = tmp_path / "review"
    init_review(root)
    (root / "studies" / "example2024.yaml").unlink()
    (root / "bib" / "references.bib").unlink()
    write_files(root, {"bib/zotero.bib": BETTER_BIBTEX.encode("utf-8"),
                       "bib/mendeley.json": json.dumps(CSL_JSON, indent=2, ensure_ascii=False).encode("utf-8"),
                       "bib/endnote.ris": RIS.encode("utf-8"),
                       **{f"studies/{key}.yaml": study(key) for key in KEYS}})
    return root


def test_every_format_is_read_with_first_author_year_and_place(review):
    bibliography, problems = load_bibliography(review)
    assert problems == []
    assert bibliography.files == ("bib/endnote.ris", "bib/mendeley.json", "bib/zotero.bib")
    found = {key: (r.first_author, r.year, str(r.location)) for key, r in bibliography.references.items()}
    assert found == {
        "ovrebo_social_2017": ("Øvrebø", "2017", "bib/zotero.bib:2:1"),
        "who_mental_2019": ("World Health Organization", "2019", "bib/zotero.bib:15:1"),
        "garcia_peer_2015": ("García", "2015", "bib/mendeley.json:3"),
        "nguyen_2012": ("Nguyen Group", "2012", "bib/mendeley.json:24"),
        "Kowalski_Hansen_2018": ("Kowalski", "2018", "bib/endnote.ris:1"),  # the key pandoc makes
        "okafor2020": ("Okafor", "2020", "bib/endnote.ris:10"),
    }


def test_a_review_citing_all_four_formats_checks_and_builds(review):
    assert check(review, strict=True, out=io.StringIO()) == 0
    result = build(review, formats=("docx",), verbose=False)
    text = "\n".join(p.text for p in docx.Document(str(result.outputs["docx"])).paragraphs)
    for name in ("Øvrebø, Kari", "World Health Organization", "García, Ana", "Kowalski, Piotr", "Okafor, Chidi"):
        assert name in text, name
    table = "\n".join(cell.text for row in docx.Document(str(result.outputs["docx"])).tables[0].rows
                      for cell in row.cells)
    for first in ("Øvrebø", "World Health Organization", "García", "Nguyen Group", "Kowalski", "Okafor"):
        assert first in table, f"Table 1 does not name {first}"


@pytest.mark.parametrize(("name", "content", "expected"), [
    pytest.param("broken.json", '[\n  {"id": "a", "title": "A"},\n  {"id": "b" "title": "B"}\n]',
                 "bib/broken.json:3:14: not valid JSON (Expecting ',' delimiter): export the file again as CSL JSON",
                 id="CSL JSON syntax"),
    pytest.param("twice.json", '[\n {"id": "a", "title": "A"},\n {"id": "a", "title": "B"}\n]',
                 "bib/twice.json:2: a: duplicate citation key 'a': give each entry its own id or delete the copy",
                 id="CSL JSON duplicate id"),
    pytest.param("open.ris", "TY  - JOUR\nAU  - A, B\nPY  - 2000\n\nTY  - JOUR\nAU  - C, D\nPY  - 2001\nER  - \n",
                 "bib/open.ris:1: this record has no 'ER  - ' line before the next record (line 5): end each record "
                 "with ER  - ", id="RIS record not closed"),
    pytest.param("nokey.ris", "TY  - JOUR\nTI  - Untitled\nER  - \n",
                 "bib/nokey.ris:1: entry 1 has no citation key: it has neither author nor year for pandoc to make "
                 "one: add an 'ID  - key' line", id="RIS record without key"),
])
def test_mistakes_are_reported_at_file_and_line(tmp_path, name, content, expected):
    write_files(tmp_path, {f"bib/{name}": content.encode("utf-8")})
    _, problems = load_bibliography(tmp_path)
    assert expected in [str(p) for p in problems]


def test_import_finds_keys_by_doi_in_csl_json_and_ris(review):
    from charter.start.importer import KeyFinder

    finder = KeyFinder(load_project(review).bibliography)
    assert finder.by_doi_text("https://doi.org/10.2000/PEER") == ("garcia_peer_2015", "")
    assert finder.by_doi_text("doi:10.3000/housing") == ("Kowalski_Hansen_2018", "")
    assert finder.by_doi_text("10.1000/xyz") == ("ovrebo_social_2017", "")
    assert finder.by_study_id("Øvrebø 2017") == ("ovrebo_social_2017", "")
