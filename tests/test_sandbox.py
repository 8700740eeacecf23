"""invoke build reads nothing outside the project: raw Typst, images, links, internal metadata, lang, title.

Each test puts a "secret" file beside the project folder (where /etc/hostname
or ~/.ssh would be) and tries to make the build print it; the build must
refuse with the source's file:line, and the secret must appear in no message
and no output. Real pandoc and Typst throughout.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from charter.compile.build import BuildError, build
from charter.sources.load import load_project
from charter.sources.metadata import parse_metadata
from charter.paths import inside, resolve_images, source_problems
from charter.model import Location
from conftest import write_files
from projects import minimal_project_files

SECRET = "SECRET-7f3a9c-DO-NOT-PRINT"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND"
       b"\xaeB`\x82")


def project(tmp_path: Path, **changes: str | bytes) -> Path:
    """The minimal project in tmp_path/project, Table 1 and Figure 1 placed; a secret file in tmp_path."""
    (tmp_path / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (tmp_path / "secret.png").write_bytes(PNG + SECRET.encode())
    files: dict[str, str | bytes] = dict(minimal_project_files())
    files["manuscript/02-findings.md"] = ("# Findings\n\n@tbl-studies lists the studies; @fig-prisma shows how "
                                          "we found them.\n\n{{ table:studies }}\n\n{{ figure:prisma }}\n")
    files.update(changes)
    return write_files(tmp_path / "project", files)


def refused(root: Path, **options) -> str:
    """Build, expect a refusal, check no output and no secret leaked; return the message."""
    with pytest.raises(BuildError) as error:
        build(root, verbose=False, **options)
    message = str(error.value)
    assert SECRET not in message
    assert not (root / "build" / "manuscript.pdf").exists()
    assert not (root / "build" / "manuscript.docx").exists()
    assert not list((root / "build").glob(".*.tmp")) if (root / "build").exists() else True
    return message


def outputs_hold_no_secret(root: Path) -> None:
    for path in (root / "build").rglob("*"):
        if path.is_file() and path.name != "secret.png":
            assert SECRET.encode() not in path.read_bytes(), path
    docx = root / "build" / "manuscript.docx"
    if docx.exists():
        with zipfile.ZipFile(docx) as package:
            for name in package.namelist():
                assert SECRET.encode() not in package.read(name), name


# ------------------------------------------------------------ raw Typst reads


READS = [
    pytest.param('#raw(read("/secret.txt"))', id="absolute"),
    pytest.param('#raw(read("../../secret.txt"))', id="relative-climbing-out"),
]


@pytest.mark.parametrize("call", READS)
def test_raw_typst_block_in_a_section_cannot_read_outside(tmp_path, call):
    section = f"# More\n\nText.\n\n```{{=typst}}\n{call}\n```\n"
    root = project(tmp_path, **{"manuscript/03-more.md": section})
    message = refused(root, formats=("pdf",))
    assert "manuscript/03-more.md:6: Typst could not compile the Typst written here" in message
    assert "file not found" in message or "access denied" in message or "outside" in message
    assert str(root) not in message  # the diagnostic names build/, not this computer's folder
    assert "─ build/manuscript.typ:" in message
    assert f"Typst written here ({call[10:-2]})" in message  # the string Typst underlined


def test_raw_typst_in_the_table_caption_cannot_read_outside(tmp_path):
    review = minimal_project_files()["review.yaml"].replace(
        "caption: Characteristics of the included studies",
        "caption: 'Characteristics `#raw(read(\"/secret.txt\"))`{=typst}'")
    root = project(tmp_path, **{"review.yaml": review})
    message = refused(root, formats=("pdf",))
    line = review.split("\n").index(next(x for x in review.split("\n") if "caption:" in x)) + 1
    assert f"review.yaml:{line}: Typst could not compile" in message


def test_raw_typst_in_the_title_cannot_read_outside(tmp_path):
    metadata = minimal_project_files()["manuscript/metadata.yaml"].replace(
        "title: Social support and recovery from mental health problems",
        "title: 'Social support `#raw(read(\"../../secret.txt\"))`{=typst}'")
    root = project(tmp_path, **{"manuscript/metadata.yaml": metadata})
    message = refused(root, formats=("pdf",))
    assert "manuscript/metadata.yaml:1: Typst could not compile" in message


def test_raw_typst_inside_build_is_still_available(tmp_path):
    """Authors keep raw Typst: what stays inside the root compiles."""
    section = "# More\n\n```{=typst}\n#text(fill: red)[Raw Typst works]\n```\n"
    root = project(tmp_path, **{"manuscript/03-more.md": section})
    result = build(root, verbose=False, formats=("pdf",))
    assert "Raw Typst works" in "".join(p.extract_text() for p in PdfReader(str(result.outputs["pdf"])).pages)


# ------------------------------------------------------------------- images


@pytest.mark.parametrize("src, expected", [
    pytest.param("../../secret.png", "image '../../secret.png' is outside the project folder", id="climbing"),
    pytest.param("{tmp}/secret.png", "image '{tmp}/secret.png' is an absolute path", id="absolute"),
    pytest.param("https://example.org/x.png", "image 'https://example.org/x.png' is not a file of the project: "
                 "Charter does not fetch images from the web", id="url"),
])
def test_image_outside_the_project_is_refused_at_its_line(tmp_path, src, expected):
    src = src.format(tmp=tmp_path)
    root = project(tmp_path, **{"manuscript/03-more.md": f"# More\n\nText.\n\n![x]({src})\n"})
    message = refused(root)
    assert f"manuscript/03-more.md:5:1: {expected.format(tmp=tmp_path)}" in message


def test_image_link_leading_outside_is_refused(tmp_path):
    root = project(tmp_path, **{"manuscript/03-more.md": "# More\n\n![x](figures/logo.png)\n"})
    (root / "manuscript" / "figures").mkdir()
    (root / "manuscript" / "figures" / "logo.png").symlink_to(tmp_path / "secret.png")
    message = refused(root)
    assert "manuscript/03-more.md:3:1: image 'figures/logo.png' is outside the project folder" in message


def test_images_inside_the_project_reach_both_outputs_without_paths(tmp_path):
    root = project(tmp_path, **{"manuscript/03-more.md": "# More\n\n![The logo](figures/logo.png){width=2cm}\n",
                                "manuscript/figures/logo.png": PNG})
    result = build(root, verbose=False)
    with zipfile.ZipFile(result.outputs["docx"]) as package:
        media = [n for n in package.namelist() if n.startswith("word/media/")]
        document = package.read("word/document.xml").decode("utf-8")
    assert len(media) == 2  # the logo and the PRISMA diagram
    assert 'descr="manuscript/figures/logo.png"' in document and 'descr="build/prisma.png"' in document
    assert str(tmp_path) not in document
    assert (root / "build" / "images" / "manuscript" / "figures" / "logo.png").read_bytes() == PNG


def test_resolve_images_interface(tmp_path):
    root = project(tmp_path, **{"manuscript/a.png": PNG, "b.png": PNG})
    found, problems = resolve_images(root, [(Location("manuscript/01.md", 3), "a.png"),
                                            (Location("manuscript/01.md", 4), "b.png"),
                                            (Location("manuscript/01.md", 5), "../b.png"),
                                            (Location("manuscript/01.md", 6), "missing.png")])
    assert found == {"a.png": "manuscript/a.png", "b.png": "b.png", "../b.png": "b.png"}
    assert [str(p) for p in problems] == ["manuscript/01.md:6: image 'missing.png' not found (looked in "
                                          "manuscript/ and in the project folder); correct the path or add the file"]


def test_inside(tmp_path):
    root = project(tmp_path)
    assert inside(root, "review.yaml") == (root / "review.yaml").resolve()
    assert inside(root, "../secret.txt") is None
    assert inside(root, tmp_path / "secret.txt") is None
    assert inside(root, "studies/../review.yaml") is not None


# --------------------------------------------------------------------- links


LINKS = [
    pytest.param("studies/zz2020.yaml", "studies/zz2020.yaml", id="study"),
    pytest.param("bib/more.bib", "bib/more.bib", id="bib"),
    pytest.param("manuscript/03-more.md", "manuscript/03-more.md", id="section"),
    pytest.param("manuscript/metadata.yaml", "manuscript/metadata.yaml", id="metadata"),
    pytest.param("review.yaml", "review.yaml", id="review"),
]


@pytest.mark.parametrize("link, where", LINKS)
def test_links_leading_outside_are_refused_unread(tmp_path, link, where):
    root = project(tmp_path)
    (root / link).unlink(missing_ok=True)
    (root / link).symlink_to(tmp_path / "secret.txt")
    message = refused(root)
    assert f"{where}: the file is a symbolic link to a place outside the project folder" in message
    assert str(tmp_path / "secret.txt") not in message


def test_check_sees_study_and_bib_links_too(tmp_path):
    """load_project (what invoke check reads) refuses them the same way, and source_problems lists all."""
    root = project(tmp_path)
    (root / "studies" / "zz2020.yaml").symlink_to(tmp_path / "secret.txt")
    (root / "bib" / "more.bib").symlink_to(tmp_path / "secret.txt")
    (root / "manuscript" / "03-more.md").symlink_to(tmp_path / "secret.txt")
    problems = [str(p) for p in load_project(root).problems]
    assert not any(SECRET in p for p in problems)
    assert any(p.startswith("studies/zz2020.yaml: the file is a symbolic link") for p in problems)
    assert any(p.startswith("bib/more.bib: the file is a symbolic link") for p in problems)
    assert [p.location.path for p in source_problems(root)] == ["bib/more.bib", "manuscript/03-more.md",
                                                                "studies/zz2020.yaml"]


def test_links_inside_the_project_are_fine(tmp_path):
    root = project(tmp_path, **{"notes/more.md": "# More\n\nText from a linked file.\n"})
    (root / "manuscript" / "03-more.md").symlink_to(root / "notes" / "more.md")
    result = build(root, verbose=False, formats=("docx",))
    with zipfile.ZipFile(result.outputs["docx"]) as package:
        assert "Text from a linked file." in package.read("word/document.xml").decode("utf-8")


def test_csl_outside_the_project_is_refused(tmp_path):
    (tmp_path / "style.csl").write_text("<style/>", encoding="utf-8")
    metadata = minimal_project_files()["manuscript/metadata.yaml"].replace("csl: apa", "csl: ../style.csl")
    root = project(tmp_path, **{"manuscript/metadata.yaml": metadata})
    message = refused(root)
    assert "csl: the style file '../style.csl' is outside the project folder" in message


# ------------------------------------------------------- internal metadata


def test_a_section_cannot_set_charter_splice(tmp_path):
    (tmp_path / "evil.json").write_text(json.dumps({"pandoc-api-version": [1, 23], "meta": {}, "blocks": [
        {"t": "Para", "c": [{"t": "Str", "c": SECRET}]}]}), encoding="utf-8")
    section = f"# More\n\nText.\n\n---\ncharter-splice: {{tbl-studies: {tmp_path}/evil.json}}\n---\n"
    root = project(tmp_path, **{"manuscript/03-more.md": section})
    message = refused(root)
    assert ("manuscript/03-more.md:6: the metadata block sets 'charter-splice', one of the build's own settings; "
            "remove it (keys starting with charter- cannot be set in the text)") in message


def test_the_lua_filter_never_splices_from_document_metadata(tmp_path):
    """Even a block the build's scan missed could not splice: the filter takes splices from the build only."""
    from charter.compile.pandoc import markdown_to_json

    (tmp_path / "evil.json").write_text(json.dumps({"pandoc-api-version": [1, 23], "meta": {}, "blocks": [
        {"t": "Para", "c": [{"t": "Str", "c": SECRET}]}]}), encoding="utf-8")
    (tmp_path / "in.md").write_text(
        "Text.\n\n:::: {#tbl-studies .charter-placement}\n::::\n\n"
        f"---\ncharter-splice:\n  tbl-studies: {tmp_path}/evil.json\n"
        f"charter-image-folders: [{tmp_path}]\n---\n", encoding="utf-8")
    (tmp_path / "refs.bib").write_text("@book{a, title={T}, year={2020}}\n", encoding="utf-8")
    from charter.sources.styles import resolve_style

    csl, _ = resolve_style("apa", tmp_path, Location("x"))
    markdown_to_json(tmp_path / "in.md", tmp_path / "out.json", csl=csl, bibliographies=[tmp_path / "refs.bib"],
                     root=tmp_path)
    assert SECRET not in (tmp_path / "out.json").read_text(encoding="utf-8")


def test_a_table_caption_cannot_set_internal_metadata(tmp_path):
    review = minimal_project_files()["review.yaml"].replace(
        "caption: Characteristics of the included studies",
        "caption: \"Characteristics\\n\\n---\\ncharter-labels: {tbl-studies: Nonsense}\\n---\\n\"")
    root = project(tmp_path, **{"review.yaml": review})
    assert "the metadata block sets 'charter-labels'" in refused(root)


def test_the_builds_metadata_wins_over_a_users_block(tmp_path):
    """A block setting a template value the scan does not know (lang) cannot beat the build's."""
    section = "# More\n\nText.\n\n---\nlang: de-DE\n---\n"
    root = project(tmp_path, **{"manuscript/03-more.md": section})
    build(root, verbose=False, formats=("pdf",))
    typst = (root / "build" / "manuscript.typ").read_text(encoding="utf-8")
    assert 'lang: "en"' in typst and 'region: "GB"' in typst


def test_metadata_yaml_cannot_set_charter_keys(tmp_path):
    metadata = minimal_project_files()["manuscript/metadata.yaml"] + "charter-splice: {tbl-studies: x.json}\n"
    root = project(tmp_path, **{"manuscript/metadata.yaml": metadata})
    assert "charter-splice" in refused(root)


# ------------------------------------------------------ values reaching Typst


@pytest.mark.parametrize("lang", ['en"); #raw(read("/secret.txt")); ("', "english", "en_GB", "e"])
def test_lang_must_be_a_language_tag(tmp_path, lang):
    metadata = minimal_project_files()["manuscript/metadata.yaml"] + f"lang: {json.dumps(lang)}\n"
    line = metadata.count("\n")
    root = project(tmp_path, **{"manuscript/metadata.yaml": metadata})
    message = refused(root)
    assert f"manuscript/metadata.yaml:{line}:7: lang: '{lang}' is not a language tag such as en-GB" in message


@pytest.mark.parametrize("lang, language, region", [("en-US", "en", "US"), ("nb", "nb", False),
                                                     ("zh-Hans-CN", "zh", "CN"), ("es-419", "es", False)])
def test_language_tags_reach_typst_as_language_and_region(lang, language, region):
    """Typst takes a 2-letter region only: a script (Hans) or a numeric region (419) is not passed on."""
    import yaml

    from charter.document.assemble import _metadata_block

    metadata, problems = parse_metadata(f"title: T\nlang: {lang}\n".encode())
    assert problems == [] and metadata.lang == lang
    values = yaml.safe_load(_metadata_block(metadata, {"title": "T"}, False, {}, "a4").strip("-\n"))
    assert (values["lang"], values["charter-lang"], values["charter-region"]) == (lang, language, region)


def test_typst_special_characters_in_the_title_are_text(tmp_path):
    title = 'Costs #raw("x") and [brackets], $10 "quoted" \\\\ back'
    metadata = minimal_project_files()["manuscript/metadata.yaml"].replace(
        "title: Social support and recovery from mental health problems", f"title: '{title}'")
    root = project(tmp_path, **{"manuscript/metadata.yaml": metadata})
    result = build(root, verbose=False)
    pdf = PdfReader(str(result.outputs["pdf"]))
    text = pdf.pages[0].extract_text()
    assert "Costs #raw(“x”) and [brackets], $10 “quoted” \\ back" in text  # pandoc's smart quotes
    assert pdf.metadata.title == title  # plain text, as data (sys.inputs)
    with zipfile.ZipFile(result.outputs["docx"]) as package:
        core = package.read("docProps/core.xml").decode("utf-8")
    assert "Costs #raw(&quot;x&quot;)" in core or 'Costs #raw("x")' in core
    outputs_hold_no_secret(root)


def test_a_linked_folder_leading_outside_is_refused(tmp_path):
    root = project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "zz2020.yaml").write_text(f"id: zz2020\ntheme: {SECRET}\n", encoding="utf-8")
    for study in (root / "studies").iterdir():
        (elsewhere / study.name).write_bytes(study.read_bytes())
        study.unlink()
    (root / "studies").rmdir()
    (root / "studies").symlink_to(elsewhere)
    message = refused(root)
    assert "studies: the folder studies/ is a symbolic link to a place outside the project folder" in message


def test_a_build_folder_that_is_a_link_is_refused(tmp_path):
    root = project(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (root / "build").symlink_to(tmp_path / "elsewhere")
    message = refused(root)
    assert "build: build is a symbolic link or a file, not the folder the build writes; delete it" in message
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_planted_lock_link_is_not_followed(tmp_path):
    root = project(tmp_path)
    (root / "build").mkdir()
    (root / "build" / ".lock").symlink_to(tmp_path / "secret.txt")
    message = refused(root)
    assert "build/.lock: cannot open the lock file" in message
    assert (tmp_path / "secret.txt").read_text(encoding="utf-8") == SECRET + "\n"


def test_the_sandboxed_docx_writer_reads_only_the_images_it_is_given(tmp_path):
    """The sandbox itself, without Charter's checks in front: an image not handed over is not read."""
    from charter.compile.build import _unread_resources
    from charter.compile.pandoc import pandoc_path, start_docx, wait

    root = project(tmp_path, **{"manuscript/ok.png": PNG})
    image = lambda src: {"t": "Image", "c": [["", [], []], [{"t": "Str", "c": "x"}], [src, ""]]}  # noqa: E731
    document = {"pandoc-api-version": [1, 23, 1], "meta": {}, "blocks": [
        {"t": "Para", "c": [image(str(tmp_path / "secret.png")), image("../secret.png"), image("manuscript/ok.png")]}]}
    (root / "in.json").write_text(json.dumps(document), encoding="utf-8")
    reference = root / "reference.docx"
    reference.write_bytes(subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"],
                                         check=True, capture_output=True).stdout)
    messages = wait(start_docx(root / "in.json", root / "out.docx", reference, root=root,
                               images=["manuscript/ok.png"]), "writing the DOCX")
    with zipfile.ZipFile(root / "out.docx") as package:
        media = [package.read(n) for n in package.namelist() if n.startswith("word/media/")]
    assert media == [PNG]
    unread = _unread_resources({"docx": {"messages": messages}})
    assert len(unread) == 2 and all("Could not fetch resource" in u for u in unread)


def test_an_image_in_the_table_note_is_checked_at_its_line(tmp_path):
    review = minimal_project_files()["review.yaml"].replace(
        'note: "QUAL = qualitative; QUAN = quantitative; REV = review."', 'note: "See ![x](../../secret.png)."')
    line = next(n for n, text in enumerate(review.split("\n"), start=1) if "note:" in text)
    root = project(tmp_path, **{"review.yaml": review})
    assert f"review.yaml:{line}: image '../../secret.png' is outside the project folder" in refused(root)


def test_a_broken_raw_typst_block_is_reported_at_its_source_line(tmp_path):
    # well-formed (charter.sources.wellformed passes it), so only Typst itself finds the mistake
    section = "# More\n\nText.\n\n```{=typst}\n#let broken = (1, 2) + \"a\"\n```\n"
    root = project(tmp_path, **{"manuscript/03-more.md": section})
    message = refused(root, formats=("pdf",))
    assert "manuscript/03-more.md:6: Typst could not compile the Typst written here" in message


def test_a_malformed_raw_typst_block_is_refused_before_pandoc_at_its_source_line(tmp_path):
    section = "# More\n\nText.\n\n```{=typst}\n#let broken = (1, 2\n```\n"
    root = project(tmp_path, **{"manuscript/03-more.md": section})
    message = refused(root, formats=("pdf",))
    assert "manuscript/03-more.md:6: the raw Typst block is not well-formed: the '(' is never closed" in message


def test_style_outside_interface(tmp_path):
    from charter.paths import style_outside

    root = project(tmp_path, **{"styles/mine.csl": "<style/>"})
    (root / "styles" / "linked.csl").symlink_to(tmp_path / "secret.txt")
    where = Location("manuscript/metadata.yaml", 9)
    assert style_outside(root, "apa", where) is None
    assert style_outside(root, None, where) is None
    assert style_outside(root, "styles/mine.csl", where) is None
    for outside in ("styles/linked.csl", "../x.csl", str(tmp_path / "x.csl"), "/etc/passwd"):
        assert str(style_outside(root, outside, where)).startswith(
            f"manuscript/metadata.yaml:9: csl: the style file '{outside}' is outside the project folder"), outside


def test_typst_diagnostics_name_build_from_any_working_folder(tmp_path, monkeypatch):
    """Typst names files from the working folder ("../x/build/manuscript.typ"); the message says build/ anyway."""
    section = "# More\n\nText.\n\n```{=typst}\n#raw(read(\"/secret.txt\"))\n```\n"
    root = project(tmp_path, **{"manuscript/03-more.md": section})
    elsewhere = tmp_path / "else" / "where"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)  # the project is ../../project from here: Typst may name it so
    message = refused(root, formats=("pdf",))
    assert "─ build/manuscript.typ:" in message
    assert str(tmp_path) not in message and "../" not in message.split("Typst written here")[0]
