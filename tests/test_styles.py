"""Citation styles resolve offline: ids, dependent styles to their parents, local files, clear errors."""

from __future__ import annotations


import pytest

from charter.model import Location
from charter.sources.styles import citation_format, names_author_and_year, resolve_style, styles_dir

WHERE = Location("manuscript/metadata.yaml", 40, 6)


@pytest.mark.parametrize("style, expected", [
    pytest.param(None, "taylor-and-francis-chicago-author-date", id="default-is-the-journal-of-the-review"),
    pytest.param("nordic-social-work-research", "taylor-and-francis-chicago-author-date", id="dependent"),
    pytest.param("apa", "apa", id="independent"),
    pytest.param("vancouver", "nlm-citation-sequence", id="vancouver-alias"),
])
def test_style_ids_resolve_to_an_independent_style(style, expected, tmp_path):
    path, problems = resolve_style(style, tmp_path, WHERE)
    assert problems == []
    assert path == styles_dir() / f"{expected}.csl"
    assert "independent-parent" not in path.read_text(encoding="utf-8")


def test_local_csl_file(tmp_path):
    own = tmp_path / "styles" / "mine.csl"
    own.parent.mkdir()
    own.write_text((styles_dir() / "apa.csl").read_text(encoding="utf-8"), encoding="utf-8")
    assert resolve_style("styles/mine.csl", tmp_path, WHERE) == (own, [])


def test_local_dependent_csl_follows_its_parent(tmp_path):
    dependent = styles_dir() / "dependent" / "nordic-social-work-research.csl"
    (tmp_path / "journal.csl").write_text(dependent.read_text(encoding="utf-8"), encoding="utf-8")
    path, problems = resolve_style("journal.csl", tmp_path, WHERE)
    assert (path.name, problems) == ("taylor-and-francis-chicago-author-date.csl", [])


def test_unknown_style_names_close_matches(tmp_path):
    path, problems = resolve_style("apa-6th-editon", tmp_path, WHERE)
    assert path is None
    message = str(problems[0])
    assert message.startswith("manuscript/metadata.yaml:40:6: csl: unknown citation style 'apa-6th-editon' "
                              "(close matches: apa-6th-edition")
    assert message.endswith("use a style id from https://www.zotero.org/styles (e.g. apa, vancouver) "
                            "or a path to a .csl file")


def test_missing_local_file(tmp_path):
    path, problems = resolve_style("styles/none.csl", tmp_path, WHERE)
    assert path is None
    assert [p.message for p in problems] == [
        "the style file 'styles/none.csl' does not exist; give a path relative to the project folder, "
        "or a style id such as 'apa'"]


@pytest.mark.parametrize("style, expected", [
    ("vancouver", "numeric"), ("plos-medicine", "numeric"), ("bmj", "numeric"),  # dependent styles: the parent's
    ("american-medical-association", "numeric"), ("apa", "author-date"),
    ("nordic-social-work-research", "author-date"),
])
def test_citation_format_from_the_csl(tmp_path, style, expected):
    path, problems = resolve_style(style, tmp_path, Location("manuscript/metadata.yaml"))
    assert problems == []
    assert citation_format(path) == expected
    assert names_author_and_year(path) == (expected == "author-date")


def test_citation_format_of_a_local_style_and_of_none(tmp_path):
    csl = tmp_path / "mine.csl"
    csl.write_text('<style xmlns="http://purl.org/net/xbiblio/csl"><info><title>Mine</title>'
                   '<category citation-format="note"/><category field="history"/></info></style>', encoding="utf-8")
    assert citation_format(csl) == "note" and not names_author_and_year(csl)
    assert citation_format(None) == "author-date" and names_author_and_year(None)


def test_a_misspelt_alias_is_suggested(tmp_path):
    # 'vancouver' is an alias (of nlm-citation-sequence), and the message's own example: a typo of it
    # suggested only 'vancouver-ama'.
    path, problems = resolve_style("vancuver", tmp_path, WHERE)
    assert path is None
    assert "(close matches: vancouver" in str(problems[0]) and "(close matches: vancouver-" not in str(problems[0])
