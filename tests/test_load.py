"""Loading a project from real files: strict YAML reading and the checks across files."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.sources.load import load_bibliography, load_project, load_review
from conftest import write_files
from projects import changed, minimal_project_files

BERG = "studies/berg2018.yaml"


def load(tmp_path: Path, files: dict[str, str | bytes]):
    return load_project(write_files(tmp_path, files))


def messages(project) -> list[str]:
    return [str(p) for p in project.problems]


# ------------------------------------------------------------------ valid project


def test_minimal_project_loads_clean_with_its_values(tmp_path):
    project = load(tmp_path, minimal_project_files())

    assert messages(project) == []
    assert [s.id for s in project.studies] == ["ahmad2020", "berg2018", "carter2019"]
    ahmad, berg, carter = project.studies
    assert ahmad.reports == ("ahmad2021",)
    assert ahmad.citation_keys == ("ahmad2020", "ahmad2021")
    assert ahmad.participants.n == 120
    assert ahmad.extra == {"population": "moderate"}
    assert berg.participants.n is None
    assert berg.countries == ("Norway",)
    assert carter.countries == ("USA", "Canada")
    assert carter.participants.n is None  # n may be left out: not reported
    assert [t.key for t in project.review.themes] == ["a", "b"]
    assert project.review.prisma.database_records == 2819
    assert set(project.bibliography.references) == {"ahmad2020", "ahmad2021", "berg2018", "carter2019"}
    assert project.bibliography.files == ("bib/references.bib",)


def test_positions_point_at_the_values(tmp_path):
    project = load(tmp_path, minimal_project_files())
    ahmad = project.studies[0]

    # in STUDY_AHMAD line 14 is "  - More perceived support …" and line 7 "  orientation: quantitative"
    assert str(ahmad.positions["findings.0"]) == "studies/ahmad2020.yaml:14:5"
    assert str(ahmad.positions["findings.1"]) == "studies/ahmad2020.yaml:15:5"
    assert str(ahmad.positions["design.orientation"]) == "studies/ahmad2020.yaml:7:16"
    assert str(ahmad.positions["participants.n"]) == "studies/ahmad2020.yaml:12:6"
    review = project.review
    assert str(review.prisma.positions["prisma.dbr_assessed"]) == "review.yaml:60:17"
    assert str(review.positions["themes.1.label"]) == "review.yaml:12:12"


def test_studies_are_sorted_by_id_not_file_order(tmp_path):
    files = minimal_project_files()
    files["studies/aaa.yaml"] = files.pop("studies/carter2019.yaml").replace("id: carter2019", "id: aaa")
    files["bib/references.bib"] += "@misc{aaa, title = {A}}\n"
    project = load(tmp_path, files)
    assert [s.id for s in project.studies] == ["aaa", "ahmad2020", "berg2018"]


# ------------------------------------------------------- YAML 1.1 surprises stay text


def test_text_fields_keep_what_the_author_typed(tmp_path):
    files = changed(minimal_project_files(), BERG, "country: Norway", "country: NO")
    files = changed(files, BERG, "keywords: [social support, recovery, friendship]",
                    "keywords: [yes, on, off, 2020-01-01, 1.50, 0x1F, social support]")
    files = changed(files, BERG, "method: Semi-structured interviews, thematic analysis", "method: 12")
    files = changed(files, "review.yaml", 'date_from: "2000-01"', "date_from: 2000-01-01")
    files = changed(files, "review.yaml", "members: [Norway, USA, Canada]", "members: [NO, USA, Canada]")
    project = load(tmp_path, files)

    assert messages(project) == []
    berg = project.studies[1]
    assert berg.countries == ("NO",)
    assert berg.keywords == ("yes", "on", "off", "2020-01-01", "1.50", "0x1F", "social support")
    assert berg.design.method == "12"
    assert project.review.search.date_from == "2000-01-01"
    assert project.review.search.date_to == "2020-01"


# ---------------------------------------------------------------- file-level errors


def test_yaml_syntax_error_has_line_column_and_a_hint(tmp_path):
    files = changed(minimal_project_files(), BERG, "research_question: How do", "research_question: Why: how do")
    project = load(tmp_path, files)
    assert messages(project) == [
        "studies/berg2018.yaml:7:23: YAML syntax error: mapping values are not allowed in this context; "
        "a text containing ': ' must be put in quotes, e.g. method: \"Survey: two waves\"; or check that this "
        "field starts in the same column as the fields around it"]
    assert [s.id for s in project.studies] == ["ahmad2020", "carter2019"]


def test_control_character(tmp_path):
    files = changed(minimal_project_files(), BERG, "Friends offered", "Friends\x0boffered")
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:12:12: invisible control character U+000B at line 12: delete it (it often comes "
        "with text pasted from a PDF or a word processor)"]


def test_two_documents_in_one_file(tmp_path):
    files = changed(minimal_project_files(), BERG, "findings:", "---\nfindings:")
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:11:1: YAML syntax error: expected a single document in the stream but found "
        "another document; a file holds one document: remove the '---' line"]


def test_unclosed_bracket_is_a_syntax_error(tmp_path):
    project = load(tmp_path, changed(minimal_project_files(), BERG, "theme: a", "theme: [a"))
    (problem,) = project.problems
    assert str(problem.location) == "studies/berg2018.yaml:3:8"
    assert problem.message.startswith("YAML syntax error: did not find expected ',' or ']'")


def test_duplicate_key_reports_both_lines(tmp_path):
    files = minimal_project_files()
    files[BERG] += "theme: b\n"
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:17:1: theme: duplicate field 'theme' at lines 2 and 17: keep only one "
        "(YAML readers silently keep the last)"]


def test_nested_duplicate_key(tmp_path):
    files = changed(minimal_project_files(), BERG, "  n: null\n", "  n: null\n  n: 12\n")
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:11:3: participants.n: duplicate field 'n' at lines 10 and 11: keep only one "
        "(YAML readers silently keep the last)"]


def test_not_utf8_reports_the_line(tmp_path):
    text = minimal_project_files()[BERG].replace("Friends offered", "Fri\u00e6nds offered")
    files = {**minimal_project_files(), BERG: text.encode("latin-1")}
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:12:8: the file is not UTF-8 text: byte 0xe6 at line 12 cannot be read; "
        "save the file with UTF-8 encoding (in most editors: Save As → Encoding → UTF-8)"]


def test_utf8_with_bom_and_non_latin_text_is_read(tmp_path):
    text = minimal_project_files()[BERG].replace("Friends offered", "朋友 gave Bjørn")
    files = {**minimal_project_files(), BERG: b"\xef\xbb\xbf" + text.encode("utf-8")}
    project = load(tmp_path, files)
    assert messages(project) == []
    assert project.studies[1].findings == ("朋友 gave Bjørn a sense of ordinary life.",)


def test_windows_line_endings_are_read(tmp_path):
    files = {rel: text.replace("\n", "\r\n").encode() for rel, text in minimal_project_files().items()}
    project = load(tmp_path, files)
    assert messages(project) == []
    assert project.studies[0].findings[1] == "Family support mattered most."
    assert str(project.bibliography.references["berg2018"].location) == "bib/references.bib:16:1"


@pytest.mark.parametrize("content", [pytest.param("", id="empty"), pytest.param("\n\n", id="blank"),
                                     pytest.param("# to do\n", id="only-comments")])
def test_empty_study_file(tmp_path, content):
    files = {**minimal_project_files(), BERG: content}
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:1:1: the file is empty: a study file needs id, theme, country, design, "
        "research_question, participants, findings, validity, keywords (see docs/format.md); "
        "delete the file if it is not a study"]


def test_tab_in_indentation(tmp_path):
    files = changed(minimal_project_files(), BERG, "  orientation: qualitative", "\torientation: qualitative")
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:5:1: tab character at line 5: indent with spaces"]


def test_tab_inside_text(tmp_path):
    files = changed(minimal_project_files(), BERG, "Friends offered", "Friends\toffered")
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:12:12: tab character at line 12: replace it with spaces"]


@pytest.mark.parametrize("tagged", [
    pytest.param("!!python/object/apply:os.system ['touch HACKED']", id="apply"),
    pytest.param("!!python/object:os.system {}", id="object"),
    pytest.param("!!python/name:os.system ''", id="name"),
])
def test_unsafe_tag_is_refused_and_never_constructed(tmp_path, tagged):
    files = minimal_project_files()
    files[BERG] += f"population: {tagged}\n"
    project = load(tmp_path, files)
    tag = tagged.split()[0]
    assert messages(project) == [f"studies/berg2018.yaml:17:13: population: tag '{tag}' is not allowed: "
                                 "write plain text, numbers, lists and field: value mappings"]
    assert not (tmp_path / "HACKED").exists()


def test_unsafe_tag_on_the_whole_file(tmp_path):
    files = {**minimal_project_files(), BERG: "!!python/object/apply:os.system ['touch HACKED']\n"}
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:1:1: tag '!!python/object/apply:os.system' is not allowed: "
        "write plain text, numbers, lists and field: value mappings"]
    assert not (tmp_path / "HACKED").exists()


def test_other_tags_are_refused_too(tmp_path):
    files = changed(minimal_project_files(), BERG, "keywords: [social support, recovery, friendship]",
                    "keywords: !!set {social support, recovery}")
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:16:11: keywords: tag '!!set' is not allowed: "
        "write plain text, numbers, lists and field: value mappings"]


def test_alias_is_refused_where_it_is_used(tmp_path):
    files = changed(minimal_project_files(), BERG, "internal: Small purposive sample.",
                    "internal: &same Small purposive sample.")
    files = changed(files, BERG, "external: Norwegian municipal services only.", "external: *same")
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:15:3: validity.external: this value repeats an anchored value through an alias "
        "(*name); anchors and aliases are not allowed: write the value out in full"]


def test_top_level_must_be_a_mapping(tmp_path):
    files = {**minimal_project_files(), BERG: "- theme: a\n- country: Norway\n"}
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:1:1: expected field: value lines (a study file) but got a list"]


def test_yml_extension_is_reported_not_ignored(tmp_path):
    files = minimal_project_files()
    files["studies/dahl2020.yml"] = files[BERG]
    assert messages(load(tmp_path, files)) == [
        "studies/dahl2020.yml: study files end in .yaml: rename it to dahl2020.yaml"]


# ------------------------------------------------------------- checks across files


def test_file_name_must_equal_id(tmp_path):
    files = changed(minimal_project_files(), BERG, "id: berg2018", "id: berg2019")
    problems = messages(load(tmp_path, files))
    assert problems[0] == ("studies/berg2018.yaml:1:5: id: the id 'berg2019' differs from the file name "
                           "'berg2018.yaml': rename the file to berg2019.yaml or write id: berg2018")


def test_duplicate_ids(tmp_path):
    files = minimal_project_files()
    files["studies/berg2018b.yaml"] = files[BERG]
    problems = messages(load(tmp_path, files))
    assert "studies/berg2018b.yaml:1:5: id: the id 'berg2018' is also used by studies/berg2018.yaml: " \
           "each study needs its own id" in problems


def test_missing_citation_key(tmp_path):
    files = changed(minimal_project_files(), BERG, "theme: a\n", "theme: a\nreports: [berg2017]\n")
    files = changed(files, "review.yaml", "total_reports: 4", "total_reports: 5")
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:3:11: reports.0: citation key 'berg2017' is not in bib/ (bib/references.bib) "
        "(did you mean 'berg2018'?): add its entry, e.g. @article{berg2017, author = {…}, title = {…}, "
        "year = {…}}"]


def test_report_key_that_is_another_study(tmp_path):
    files = changed(minimal_project_files(), BERG, "theme: a\n", "theme: a\nreports: [carter2019]\n")
    files = changed(files, "review.yaml", "total_reports: 4", "total_reports: 5")
    assert messages(load(tmp_path, files)) == [
        "studies/berg2018.yaml:3:11: reports.0: 'carter2019' is the id of studies/carter2019.yaml: "
        "list here only further reports of this study"]


def test_prisma_reports_must_match_the_study_files(tmp_path):
    files = minimal_project_files()
    del files["studies/carter2019.yaml"]
    files = changed(files, "review.yaml", "total_studies: 3", "total_studies: 2")
    assert messages(load(tmp_path, files)) == [
        "review.yaml:67:18: prisma.total_reports: review.yaml says 4 reports of included studies but the study "
        "files name 3 (their ids plus their reports: lists); correct the number, or list each further paper of "
        "a study under its reports:"]


def test_reports_are_not_counted_while_a_study_file_is_unreadable(tmp_path):
    files = {**minimal_project_files(), "studies/carter2019.yaml": "id: [carter2019\n"}
    problems = messages(load(tmp_path, files))
    assert len(problems) == 1 and problems[0].startswith("studies/carter2019.yaml:2:1: YAML syntax error")


def test_every_problem_in_one_run_in_file_order(tmp_path):
    files = changed(minimal_project_files(), BERG, "orientation: qualitative", "orientation: qualitive")
    files = changed(files, BERG, "n: null", "n: many")
    files = changed(files, "studies/ahmad2020.yaml", "theme: a", "theme: c")
    files = changed(files, "review.yaml", "dbr_assessed: 53", "dbr_assessed: -53")
    paths = [(p.location.path, p.location.line) for p in load(tmp_path, files).problems]
    assert paths == [("review.yaml", 60), ("studies/ahmad2020.yaml", 3),
                     ("studies/berg2018.yaml", 5), ("studies/berg2018.yaml", 10)]


def test_missing_review_and_folders(tmp_path):
    project = load_project(tmp_path)
    assert messages(project) == [
        f"bib: no bibliography: put the .bib files (BibTeX) of the included studies and the other works the "
        f"manuscript cites in bib/",
        f"review.yaml: review.yaml not found in {tmp_path.resolve()}: every project needs one (title, question, "
        f"themes, vocabularies; see docs/format.md)",
        "studies: no studies/ folder: write one <id>.yaml file per included study there"]
    assert project.studies == ()


def test_broken_review_still_reports_study_problems(tmp_path):
    files = {**minimal_project_files(), "review.yaml": "title: [unclosed\n"}
    files = changed(files, BERG, "n: null", "n: -1")
    problems = messages(load(tmp_path, files))
    assert problems[0].startswith("review.yaml:2:1: YAML syntax error:")
    assert problems[1:] == [
        "studies/berg2018.yaml:10:6: participants.n: expected the number of participants as a whole number "
        "(or null when not reported) but got -1: counts cannot be negative"]


# ------------------------------------------------------------------ public helpers


def test_load_review_and_bibliography_alone(tmp_path):
    write_files(tmp_path, minimal_project_files())
    review, problems = load_review(tmp_path)
    assert problems == [] and review.title.startswith("Social support")
    bibliography, problems = load_bibliography(tmp_path)
    assert problems == [] and bibliography.references["berg2018"].first_author == "Berg"


def test_duplicate_citation_key_across_bib_files(tmp_path):
    files = minimal_project_files()
    files["bib/more.bib"] = "\n@article{berg2018, author = {Other, A.}, title = {Same key}, year = 2001}\n"
    bibliography, problems = load_bibliography(write_files(tmp_path, files))
    assert [str(p) for p in problems] == [
        "bib/references.bib:16:1: berg2018: duplicate citation key 'berg2018': also at bib/more.bib:1:1; "
        "keep one entry"]
    assert bibliography.files == ("bib/more.bib", "bib/references.bib")


# ------------------------------------------------------------ properties of the reader

from hypothesis import given, settings, strategies as st  # noqa: E402

from charter.sources.validate import NOT_REPORTED_TEXTS, read_review, read_study  # noqa: E402
from charter.sources.yaml_source import compose  # noqa: E402

import yaml  # noqa: E402

# Plain words that YAML 1.1 would turn into booleans, numbers, dates or null-ish values.
SURPRISES = ["NO", "no", "Yes", "on", "OFF", "y", "n", "2020-01-01", "2020-01", "1e3", "0x1F", "012", "0o17",
             ".inf", ".nan", "1_000", "1:30", "3.10", "+1", "-0"]


def study_text(**overrides: str) -> str:
    return "".join(f"{line}\n" for line in minimal_project_files()[BERG].splitlines()
                   if line.split(":")[0] not in overrides) + "".join(f"{k}: {v}\n" for k, v in overrides.items())


def read(text: str):
    review_node, problems = compose("review.yaml", minimal_project_files()["review.yaml"])
    review, _ = read_review("review.yaml", review_node)
    node, problems = compose(BERG, text)
    assert problems == []
    return read_study(BERG, "berg2018", node, review)


@given(st.lists(st.sampled_from(SURPRISES), min_size=1, max_size=5))
@settings(deadline=None)  # no timing condition on a shared, slow machine
def test_plain_yaml_11_words_stay_the_text_typed(words):
    study, problems = read(study_text(keywords="[" + ", ".join(words) + "]", research_question=words[0]))
    assert [str(p) for p in problems] == []
    assert study.keywords == tuple(words)
    assert study.research_question == words[0]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1).filter(str.strip)
       .filter(lambda text: text.strip().casefold() not in NOT_REPORTED_TEXTS))  # "NR" & co. warn (test_validate)
@settings(max_examples=200, deadline=None)
def test_any_quoted_text_survives(text):
    quoted = yaml.dump(text, default_style='"', allow_unicode=True, width=10_000).strip()
    study, problems = read(study_text(research_question=quoted))
    assert [str(p) for p in problems] == []
    assert study.research_question == text


@given(st.integers(min_value=0, max_value=10**10))  # charter.limits.COUNT_MAX
@settings(deadline=None)
def test_whole_numbers_are_read_exactly(number):
    text = study_text().replace("n: null", f"n: {number}")
    study, problems = read(text)
    assert problems == [] and study.participants.n == number


YAML_PIECES = ["id: x", "theme: a", "design:", "  orientation: review", "findings:", "  - a finding", "- item",
               "country: [NO, yes", "n: -1", "&a x", "*a", "!!python/object:os.system", "\t", "{", "}", ":", "'",
               '"', "#", "---", "? ", "<<: *a", "participants: {n: 3}", "\x00", "é", "\n", "  "]


@given(st.lists(st.sampled_from(YAML_PIECES), max_size=30).map("".join))
@settings(max_examples=300, deadline=None)
def test_any_text_gives_problems_never_an_exception(text):
    node, problems = compose(BERG, text)
    if node is not None:
        review_node, _ = compose("review.yaml", minimal_project_files()["review.yaml"])
        review, _ = read_review("review.yaml", review_node)
        study, more = read_study(BERG, "berg2018", node, review)
        problems += more
    assert all(p.location.path == BERG and p.message for p in problems)
