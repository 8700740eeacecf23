"""Citations formatted in groups of works (charter/compile/citations.py) give the plain citeproc run's output, byte for byte.

Each test runs pandoc twice on the same sources, once plainly and once in
groups (CHARTER_CITATIONS=plain / =groups, groups of a dozen works so that
even a small review makes many runs), and compares pandoc's JSON; the build
test compares the DOCX and PDF text too. Reviews are made here with the
names that make citeproc work: shared family names (Wang, Li, Smith, Müller)
with given names that share initials, identical names in the same year (year
suffixes), long author lists (et al. and added names), editors standing in
for authors, an institution and a work without authors, co-cited works,
author-in-text, suppressed authors, locators, prefixes, repeated citations
of one work (ibid), a citation in a footnote, @string macros, crossref
entries and the user's own nocite.
"""

from __future__ import annotations

import json
import random
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO))
from benchmarks.generate import generate  # noqa: E402
from charter.compile import citations  # noqa: E402
from charter.compile.citations import Bucket, components, plan, style_reasons  # noqa: E402
from charter.compile.pandoc import markdown_to_json  # noqa: E402
from charter.sources.styles import styles_dir  # noqa: E402

COMMON = ["Wang", "Li", "Zhang", "Smith", "Müller", "García", "Nguyen", "Kim", "Chen", "Liu"]
GIVEN = ["John", "Jane", "J. A.", "Wei", "Wen", "Anna", "Andreas", "Maria", "Mark", "Xiaoming"]
SYLLABLES = [a + b for a in ["b", "d", "k", "l", "m", "n", "r", "s", "t", "v", "br", "st"]
             for b in ["a", "e", "i", "o", "u", "ø", "é"]]


def _name(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        return rng.choice(COMMON), rng.choice(GIVEN)
    return (rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(["n", "r", "sen", "berg", ""])).capitalize(), \
        rng.choice(GIVEN)


def write_review(folder: Path, n_works: int, seed: int = 7) -> tuple[Path, list[Path]]:
    """A Markdown manuscript and two .bib files citing n_works works; returns (manuscript, bibliographies)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    entries = ["@string{psr = {Psychiatric Services Research}}\n@string{nswr = \"Nordic Social Work Research\"}\n"]
    keys, clones = [], []
    for i in range(n_works):
        key = f"w{i:04d}"
        keys.append(key)
        authors = [_name(rng) for _ in range(rng.choice([1, 1, 2, 2, 3, 4, 6]))]
        if i % 9 == 4 and clones:  # the same first author as an earlier work, and the same year
            authors[0], year = clones[-1]
        else:
            year = rng.randint(2015, 2020)
        clones.append((authors[0], year))
        names = " and ".join(f"{family}, {given}" for family, given in authors)
        kind = i % 23
        if kind == 5:  # edited volume: the editor stands in for the author
            entries.append(f"@book{{{key},\n  editor = {{{names}}},\n  title = {{Edited volume {i}}},\n"
                           f"  publisher = {{Press}},\n  year = {{{year}}}\n}}\n")
        elif kind == 7:  # a chapter that takes its book's fields by crossref
            entries.append(f"@incollection{{{key},\n  author = {{{names}}},\n  title = {{Chapter {i}}},\n"
                           f"  crossref = {{book{i}}},\n  pages = {{1--20}}\n}}\n")
            entries.append(f"@book{{book{i},\n  editor = {{{_name(rng)[0]}, Ola}},\n  title = {{Handbook {i}}},\n"
                           f"  publisher = {{Academic}},\n  year = {{{year}}}\n}}\n")
        elif kind == 11:
            entries.append(f"@report{{{key},\n  author = {{{{World Health Organization}}}},\n"
                           f"  title = {{Report {i}}},\n  year = {{{year}}}\n}}\n")
        elif kind == 13:
            entries.append(f"@misc{{{key},\n  title = {{Anonymous leaflet {i}}},\n  year = {{{year}}}\n}}\n")
        else:
            journal = "psr" if i % 2 else "nswr"
            entries.append(f"@article{{{key},\n  author = {{{names}}},\n  title = {{Study {i} of support}},\n"
                           f"  journal = {journal},\n  year = {{{year}}},\n  volume = {{{i % 30 + 1}}},\n"
                           f"  pages = {{{i}--{i + 9}}}\n}}\n")
    half = len(entries) // 2
    (folder / "a.bib").write_text("".join(entries[:half]), encoding="utf-8")
    (folder / "b.bib").write_text(entries[0] + "".join(entries[half:]), encoding="utf-8")
    nocite, cited = keys[-4:], keys[:-4]
    paragraphs = []
    order = cited[:]
    rng.shuffle(order)
    index = 0
    while index < len(order):
        size = rng.choice([1, 1, 2, 3, 5])
        group = order[index:index + size]
        index += size
        form = rng.randrange(6)
        if form == 0:
            text = f"As @{group[0]} found, support matters [{'; '.join('@' + k for k in group[1:]) or '-@' + group[0]}]."
        elif form == 1:
            text = f"Support matters [see {'; '.join('@' + k for k in group)}, p. {index}]."
        elif form == 2:  # the same work twice in a row: ibid in styles that have it
            text = f"Support matters [@{group[0]}]. It matters again [@{group[0]}, 12]." + \
                "".join(f" And [@{k}]." for k in group[1:])
        elif form == 3:
            text = f"Support matters.[^n{index}]\n\n[^n{index}]: Noted by [{'; '.join('@' + k for k in group)}]."
        else:
            text = f"Support matters [{'; '.join('@' + k for k in group)}]."
        paragraphs.append(text)
    paragraphs.insert(3, f"A second mention [@{cited[0]}; @{cited[1]}] and [-@{cited[2]}].")
    front = "---\ntitle: Test\nnocite: |\n  " + ", ".join("@" + k for k in nocite) + "\n---\n\n"
    manuscript = folder / "manuscript.md"
    manuscript.write_text(front + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return manuscript, [folder / "a.bib", folder / "b.bib"]


def style_variant(folder: Path, base: str, rule: str | None) -> Path:
    """A shipped style, with its given-name rule changed when rule is given."""
    text = (styles_dir() / f"{base}.csl").read_text(encoding="utf-8")
    if rule is not None:
        text = text.replace('givenname-disambiguation-rule="primary-name"', f'givenname-disambiguation-rule="{rule}"')
        assert f'givenname-disambiguation-rule="{rule}"' in text
    path = folder / f"{base}-{rule or 'as-is'}.csl"
    path.write_text(text, encoding="utf-8")
    return path


def both_ways(manuscript: Path, bibs: list[Path], csl: Path, monkeypatch, bucket_works: int = 12):
    """pandoc's JSON from the plain run and from the grouped run, and whether the groups were used."""
    out = {}
    used = []
    real = citations._partitioned

    def spy(*args, **kwargs):
        result = real(*args, **kwargs)
        used.append(result is not None)
        return result

    monkeypatch.setattr(citations, "_partitioned", spy)
    monkeypatch.setattr(citations, "BUCKET_WORKS", bucket_works)
    for mode in ("plain", "groups"):
        monkeypatch.setenv("CHARTER_CITATIONS", mode)
        target = manuscript.with_name(f"{mode}.json")
        markdown_to_json(manuscript, target, csl=csl, bibliographies=bibs, root=manuscript.parent)
        out[mode] = target.read_bytes()
    return out["plain"], out["groups"], bool(used and used[-1])


def _first_difference(plain: bytes, grouped: bytes) -> str:
    a, b = json.loads(plain), json.loads(grouped)
    for i, (x, y) in enumerate(zip(a["blocks"], b["blocks"])):
        if x != y:
            return f"block {i}:\n{json.dumps(x, ensure_ascii=False)[:800]}\n{json.dumps(y, ensure_ascii=False)[:800]}"
    return f"meta equal: {a['meta'] == b['meta']}; blocks {len(a['blocks'])} / {len(b['blocks'])}"


# author-date styles with every global given-name rule; the shipped ones as they are, the others
# made from chicago-author-date (primary-name) by changing the rule
STYLES = [("taylor-and-francis-chicago-author-date", None), ("apa", None),  # primary-name, primary-name-with-initials
          ("harvard-leeds-beckett-university", None),  # all-names-with-initials
          ("chicago-author-date", "all-names"), ("chicago-author-date", "primary-name")]


@pytest.mark.parametrize("size", [60, 200])
@pytest.mark.parametrize("base,rule", STYLES)
def test_grouped_citations_are_byte_identical_to_the_plain_run(tmp_path: Path, monkeypatch, size, base, rule):
    manuscript, bibs = write_review(tmp_path, size, seed=size)
    csl = style_variant(tmp_path, base, rule)
    assert style_reasons(csl.read_text(encoding="utf-8")) == []
    plain, grouped, used = both_ways(manuscript, bibs, csl, monkeypatch)
    assert used, "the grouped run gave up"
    assert plain == grouped, _first_difference(plain, grouped)
    text = plain.decode("utf-8")
    assert "???" not in text and '"Str","c":"w0' not in text  # every citation resolved


def test_the_test_reviews_exercise_disambiguation(tmp_path: Path, monkeypatch):
    """Given names, year suffixes, et al. and the crossref'd book title all show up: the comparison means something."""
    manuscript, bibs = write_review(tmp_path, 200, seed=200)
    csl = style_variant(tmp_path, "chicago-author-date", None)
    plain, _, _ = both_ways(manuscript, bibs, csl, monkeypatch)
    text = json.dumps(json.loads(plain)["blocks"], ensure_ascii=False)
    assert "Academic" in text and "Psychiatric" in text and "Nordic" in text  # crossref and @string resolved
    cites = [b for b in json.loads(plain)["blocks"] if b["t"] == "Para"]
    rendered = json.dumps(cites, ensure_ascii=False)
    assert any(f'"{y}a' in rendered for y in range(2015, 2021))  # a year suffix
    assert '"et"' in rendered  # et al.
    assert any(f'"{g}"' in rendered for g in ("John", "Jane", "Anna", "Andreas", "Maria", "Mark"))  # a given name added
    refs = [b for b in json.loads(plain)["blocks"] if b["t"] == "Div" and b["c"][0][0] == "refs"][0]
    ids = [e["c"][0][0] for e in refs["c"][1]]
    assert "ref-w0199" in ids  # nocite'd work listed
    assert all(f"@w{i:04d}" in manuscript.read_text(encoding="utf-8") for i in range(196))  # every other one cited


@pytest.mark.parametrize("base,why", [("ieee", "the style numbers citations"),
                                      ("chicago-notes-bibliography", "note style"),
                                      ("elsevier-harvard", "does not use global given-name disambiguation")])
def test_styles_that_cannot_be_grouped_get_the_plain_run(tmp_path: Path, monkeypatch, base, why):
    manuscript, bibs = write_review(tmp_path, 40)
    csl = style_variant(tmp_path, base, None)
    assert any(why in reason for reason in style_reasons(csl.read_text(encoding="utf-8")))
    plain, grouped, used = both_ways(manuscript, bibs, csl, monkeypatch)
    assert not used and plain == grouped


@pytest.mark.parametrize("change", ["nocite-all", "citation-in-metadata", "missing-key"])
def test_documents_that_cannot_be_grouped_get_the_plain_run(tmp_path: Path, monkeypatch, change):
    manuscript, bibs = write_review(tmp_path, 40)
    text = manuscript.read_text(encoding="utf-8")
    if change == "nocite-all":
        text = text.replace("nocite: |\n  ", "nocite: |\n  @*, ")
    elif change == "citation-in-metadata":
        text = text.replace("title: Test", "title: Test after @w0001")
    else:
        text += "\nAnd [@nosuchkey2020].\n"
    manuscript.write_text(text, encoding="utf-8")
    csl = style_variant(tmp_path, "apa", None)
    plain, grouped, used = both_ways(manuscript, bibs, csl, monkeypatch)
    assert plain == grouped
    assert used is False


def test_every_citation_and_work_has_one_owner_and_a_complete_context():
    rng = random.Random(3)
    works = [f"w{i}" for i in range(300)]
    keys = {w: {rng.choice(["wang", "li", "smith"]) if rng.random() < 0.3 else w} for w in works}
    cites = [rng.sample(works, rng.choice([1, 2, 4])) for _ in range(400)]
    nocite = ["w299"]
    buckets = plan(cites, nocite, keys, bucket_works=20)
    cited = {w for ids in cites for w in ids} | set(nocite)
    owned = [w for b in buckets for w in b.owned_works]
    assert sorted(owned) == sorted(cited)
    assert sorted(i for b in buckets for i in b.owned_cites) == list(range(len(cites)))
    groups = components(cited, keys)
    for bucket in buckets:
        for index in bucket.owned_cites:
            for work in cites[index]:
                group = next(g for g in groups if work in g)
                assert set(group) <= bucket.works  # the whole component is formatted in that run
                for other, ids in enumerate(cites):  # and every citation of it is in the run
                    if set(ids) & set(group):
                        assert other in bucket.cites
    assert isinstance(buckets[0], Bucket)


def test_the_slowness_probe_is_measured_once_per_pandoc_version(tmp_path: Path, monkeypatch):
    from charter.compile.pandoc import _environment, pandoc_path

    runner = citations._Pandoc(pandoc_path(), _environment())
    version = runner(["--version"], None, "")[0].decode().splitlines()[0]
    table = dict(citations.MEASURED)
    monkeypatch.setattr(citations, "MEASURED", {})
    first = citations.slow_citeproc(tmp_path, runner)
    if version in table:  # the build-time probe agrees with the table benchmarks/upstream.py measured
        assert first is table[version]
    record = json.loads((tmp_path / ".citations-probe.json").read_text(encoding="utf-8"))
    assert record["slow"] == first and record["pandoc"] == version
    record["slow"] = not first  # a recorded answer is used as it is, without measuring again
    (tmp_path / ".citations-probe.json").write_text(json.dumps(record), encoding="utf-8")
    assert citations.slow_citeproc(tmp_path, runner) is (not first)
    record["pandoc"] = "pandoc 99.0"  # another version is measured
    (tmp_path / ".citations-probe.json").write_text(json.dumps(record), encoding="utf-8")
    assert citations.slow_citeproc(tmp_path, runner) is first
    assert not (tmp_path / ".citations-probe").exists()
    monkeypatch.setattr(citations, "MEASURED", {version: not first})  # a version in the table is not probed
    assert citations.slow_citeproc(tmp_path / "other", runner) is (not first)
    assert not (tmp_path / "other").exists()


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as docx:
        return docx.read("word/document.xml").decode("utf-8")


def test_a_built_review_is_the_same_docx_and_pdf_text_both_ways(tmp_path: Path, monkeypatch):
    from pypdf import PdfReader

    from charter.compile.build import build

    root = generate(70, tmp_path / "review")
    outputs = {}
    for mode in ("plain", "groups"):
        monkeypatch.setenv("CHARTER_CITATIONS", mode)
        monkeypatch.setattr(citations, "BUCKET_WORKS", 15)
        result = build(root, verbose=False)
        outputs[mode] = {"json": (root / "build" / "manuscript.json").read_bytes(),
                         "docx": _docx_text(result.outputs["docx"]),
                         "pdf": "\n".join(page.extract_text() for page in PdfReader(result.outputs["pdf"]).pages)}
        import shutil

        shutil.rmtree(root / "build")
    assert outputs["plain"]["json"] == outputs["groups"]["json"]
    assert outputs["plain"]["docx"] == outputs["groups"]["docx"]
    assert outputs["plain"]["pdf"] == outputs["groups"]["pdf"]
    assert "Bjørlykhaug" in outputs["plain"]["pdf"]


def test_a_grouped_run_reports_how_far_it_is(tmp_path: Path, monkeypatch):
    from charter.compile.pandoc import _environment, pandoc_path

    manuscript, bibs = write_review(tmp_path, 60)
    csl = style_variant(tmp_path, "apa", None)
    args = [str(manuscript), "--from", "markdown", "--to", "json", "--citeproc", "--csl", str(csl),
            *[a for b in bibs for a in ("--bibliography", str(b))]]
    lines: list[str] = []
    monkeypatch.delenv("CHARTER_CITATIONS", raising=False)
    stderr = citations.format_citations(args, csl=csl, bibliographies=bibs, json_out=tmp_path / "out.json",
                                        work_dir=tmp_path / "build", executable=pandoc_path(),
                                        environment=_environment(), progress=lines.append, force=True,
                                        bucket_works=10)
    assert stderr is not None
    assert lines[0].startswith("citations: 60 works")
    assert any("groups formatted" in line for line in lines) and lines[-1].startswith("citations: done")
    assert not (tmp_path / "build" / "citations").exists()  # the runs' files are removed


def test_progress_is_printed_on_a_terminal_only(monkeypatch):
    import io

    from charter.compile.build import _progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.delenv("CI", raising=False)
    assert _progress(print) is print
    monkeypatch.setenv("CI", "true")
    assert _progress(print) is None
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # a pipe or a file
    assert _progress(print) is None


def test_an_edit_reruns_only_the_groups_it_changed(tmp_path: Path, monkeypatch):
    manuscript, bibs = write_review(tmp_path, 80)
    csl = style_variant(tmp_path, "apa", None)
    both_ways(manuscript, bibs, csl, monkeypatch)  # the grouped runs are remembered
    runs: list[list[str]] = []
    real = citations._Pandoc.__call__

    def counting(self, args, data, what):
        if "--citeproc" in args:
            runs.append(args)
        return real(self, args, data, what)

    monkeypatch.setattr(citations._Pandoc, "__call__", counting)
    text = manuscript.read_text(encoding="utf-8")
    manuscript.write_text(text.replace("Support matters", "Support matters a great deal", 1), encoding="utf-8")
    plain, grouped, used = both_ways(manuscript, bibs, csl, monkeypatch)
    assert used and plain == grouped, _first_difference(plain, grouped)
    assert runs == []  # no citeproc run in the grouped build: no group's citations changed
    runs.clear()
    manuscript.write_text(text.replace("Support matters [@", "Support matters [@w0003; @", 1), encoding="utf-8")
    plain, grouped, used = both_ways(manuscript, bibs, csl, monkeypatch)
    assert used and plain == grouped, _first_difference(plain, grouped)
    groups = len(list((tmp_path / ".citations-cache").iterdir()))
    assert 0 < len(runs) < groups  # the order run and the groups whose citations changed, not all
