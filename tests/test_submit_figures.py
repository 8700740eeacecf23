"""invoke submit and the authors' own figures (issue 14, item 3): images in the sections as files of their own.

A raster image (PNG, JPEG) and a vector one (SVG) are added to a copy of the reference review and to the second,
systematic review; the files invoke submit writes are read back with Pillow (format, pixels, recorded
resolution), the manuscript DOCX with python-docx (markers, no image left) and the PDF with pypdf.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from charter.compile.build import BuildError
from charter.submission.submit import submit
from conftest import copy_reference_review, write_files
from projects import systematic_project_files

# 2 x 1 inches of drawing: an SVG's width and height in pixels are CSS pixels, 96 to the inch
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="192" height="96" viewBox="0 0 192 96">'
       '<rect x="4" y="4" width="184" height="88" fill="#2a6" stroke="#000"/>'
       '<circle cx="48" cy="48" r="30" fill="#fff"/></svg>\n')


def _chart(path: Path, size: tuple[int, int], fmt: str) -> None:
    """A bar chart drawn with Pillow: a real image file, as authors export one."""
    picture = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(picture)
    width, height = size
    for index, share in enumerate((0.3, 0.8, 0.55, 0.4)):
        left = width * (0.1 + index * 0.2)
        draw.rectangle([left, height * (0.9 - 0.8 * share), left + width * 0.12, height * 0.9], fill=(40, 90, 160))
    draw.line([width * 0.05, height * 0.9, width * 0.95, height * 0.9], fill="black", width=max(1, width // 400))
    picture.save(path, format=fmt, dpi=(150, 150))


def _add_figures(root: Path, section: str, raster: str) -> None:
    figures = root / "manuscript" / "figures"
    figures.mkdir(exist_ok=True)
    _chart(figures / f"chart.{raster}", (2400, 1500), "JPEG" if raster == "jpg" else "PNG")
    (figures / "countries.svg").write_text(SVG, encoding="utf-8")
    path = root / "manuscript" / section
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    blocks.insert(2, f"![**Figure 2.** Studies by year of publication.](figures/chart.{raster})")
    blocks.insert(4, "![Countries of the included studies.](figures/countries.svg)")  # no label: numbered on
    path.write_text("\n\n".join(blocks), encoding="utf-8")


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    root = copy_reference_review(tmp_path_factory.mktemp("figures") / "review")
    _add_figures(root, "03-findings.md", "png")
    submit(root, verbose=False, floats="separate", figure_format="tiff", figure_ppi=600)
    return root


@pytest.fixture(scope="module")
def systematic(tmp_path_factory) -> Path:
    root = write_files(tmp_path_factory.mktemp("figures") / "systematic", systematic_project_files())
    _add_figures(root, "01-results.md", "jpg")
    submit(root, verbose=False, floats="end", figure_format="png", figure_ppi=300)
    return root


def test_each_own_figure_is_a_file_at_the_requested_format_and_resolution(reference: Path):
    folder = reference / "build" / "submission"
    chart = Image.open(folder / "figure2.tif")
    assert chart.format == "TIFF" and tuple(round(v) for v in chart.info["dpi"]) == (600, 600)
    assert chart.size == (2400, 1500) and chart.mode == "RGB"  # the pixels the authors made: none invented
    # the drawing's pixels at the source's colour
    assert chart.getpixel((int(2400 * 0.35), int(1500 * 0.85))) == (40, 90, 160)
    vector = Image.open(folder / "figure3.tif")  # the SVG drawn again at 600 ppi: 2 x 1 inches
    assert vector.format == "TIFF" and tuple(round(v) for v in vector.info["dpi"]) == (600, 600)
    assert abs(vector.size[0] - 1200) <= 2 and abs(vector.size[1] - 600) <= 2
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert "figure2.tif" in readme and "Figure 2, from manuscript/figures/chart.png (600 pixels per inch)" in readme
    assert "figure3.tif" in readme and "Figure 3, from manuscript/figures/countries.svg" in readme


def test_separate_figures_leave_markers_in_the_text(reference: Path):
    folder = reference / "build" / "submission"
    document = docx.Document(folder / "manuscript.docx")
    texts = [p.text for p in document.paragraphs]
    assert {"[Figure 1 about here]", "[Figure 2 about here]", "[Figure 3 about here]"} <= set(texts)
    assert len(document.inline_shapes) == 0  # no image left in the manuscript
    assert not any(t.startswith(("Figure 2.", "Figure 3.", "Countries of the included")) for t in texts)
    pdf = " ".join(page.extract_text() for page in PdfReader(folder / "manuscript.pdf").pages)
    assert "[Figure 2 about here]" in pdf and "[Figure 3 about here]" in pdf
    assert "Studies by year of publication" not in pdf
    # the build's own manuscript keeps them inline
    built = docx.Document(reference / "build" / "manuscript.docx")
    assert len(built.inline_shapes) == 3


def test_figures_at_the_end_and_as_png_in_a_second_review(systematic: Path):
    folder = systematic / "build" / "submission"
    chart = Image.open(folder / "figure2.png")
    assert chart.format == "PNG" and tuple(round(v) for v in chart.info["dpi"]) == (300, 300)
    assert chart.size == (2400, 1500)
    vector = Image.open(folder / "figure3.png")
    assert tuple(round(v) for v in vector.info["dpi"]) == (300, 300)
    assert abs(vector.size[0] - 600) <= 2 and abs(vector.size[1] - 300) <= 2
    texts = [p.text for p in docx.Document(folder / "manuscript.docx").paragraphs]
    references = texts.index("References")
    markers = [texts.index(m) for m in ("[Figure 2 about here]", "[Figure 3 about here]")]
    captions = [i for i, t in enumerate(texts) if t.startswith("Figure 2.") or t.startswith("Countries of the")]
    assert all(i < references for i in markers) and len(captions) == 2 and all(i > references for i in captions)
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert "figure2.png" in readme and "from manuscript/figures/chart.jpg (300 pixels per inch)" in readme


def test_vector_and_raster_sources_as_svg_and_pdf(tmp_path: Path):
    root = write_files(tmp_path / "p", systematic_project_files())
    _add_figures(root, "01-results.md", "png")
    result = submit(root, verbose=False, floats="separate", figure_format="svg")
    folder = root / "build" / "submission"
    # the SVG as the authors wrote it; the raster one cannot become a vector drawing: PNG, and a warning says so
    assert (folder / "figure3.svg").read_text(encoding="utf-8") == SVG
    assert not (folder / "figure2.svg").exists() and Image.open(folder / "figure2.png").format == "PNG"
    assert any("Figure 2 (manuscript/figures/chart.png) is a raster image and cannot be made a vector SVG"
               in str(w) for w in result.warnings)
    submit(root, verbose=False, floats="separate", figure_format="pdf", figure_ppi=300)
    chart = PdfReader(folder / "figure2.pdf").pages[0]
    # 2400 pixels at 300 ppi: 8 inches = 576 points wide
    assert abs(float(chart.mediabox.width) - 576) < 1
    drawing = PdfReader(folder / "figure3.pdf").pages[0]
    assert abs(float(drawing.mediabox.width) - 144) < 1  # the vector drawing, 2 inches


def _review_with_chart(tmp_path: Path, name: str, size: tuple[int, int], caption: str) -> Path:
    """The systematic test review with one PNG chart of its own, placed at the end of its results."""
    root = write_files(tmp_path / "p", systematic_project_files())
    figures = root / "manuscript" / "figures"
    figures.mkdir()
    _chart(figures / name, size, "PNG")
    path = root / "manuscript" / "01-results.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n![{caption}](figures/{name})\n", encoding="utf-8")
    return root


def test_a_small_image_is_written_with_a_warning_not_enlarged(tmp_path: Path):
    root = _review_with_chart(tmp_path, "small.png", (600, 400), "**Figure 2.** A small chart.")
    result = submit(root, verbose=False, figure_format="tiff", figure_ppi=600)
    small = Image.open(root / "build" / "submission" / "figure2.tif")
    assert small.size == (600, 400) and tuple(round(v) for v in small.info["dpi"]) == (600, 600)
    assert any("is 600 pixels wide: at 600 ppi it prints 2.5 cm wide" in str(w) and "1890 pixels" in str(w)
               for w in result.warnings)


def test_two_figures_with_one_label_are_an_error(tmp_path: Path):
    root = _review_with_chart(tmp_path, "a.png", (2400, 1500), "**Figure 1.** Labelled by hand.")
    with pytest.raises(BuildError, match="Figure 1: another figure already has that label"):
        submit(root, verbose=False)
    assert not (root / "build" / "submission").exists()


def test_a_pdf_figure_is_drawn_again_at_the_requested_resolution(tmp_path: Path):
    import typst

    root = write_files(tmp_path / "p", systematic_project_files())
    figures = root / "manuscript" / "figures"
    figures.mkdir()
    (figures / "drawing.svg").write_text(SVG, encoding="utf-8")
    # a one-page vector PDF of 2 x 1 inches, as a drawing program exports it
    (tmp_path / "page.typ").write_text('#set page(width: auto, height: auto, margin: 0pt)\n'
                                       '#image("/p/manuscript/figures/drawing.svg")\n', encoding="utf-8")
    (figures / "drawing.pdf").write_bytes(typst.compile(str(tmp_path / "page.typ"), root=str(tmp_path), format="pdf"))
    (figures / "drawing.svg").unlink()
    path = root / "manuscript" / "01-results.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n![**Figure 2.** A drawing.](figures/drawing.pdf)\n",
                    encoding="utf-8")
    submit(root, verbose=False, floats="separate", figure_format="tiff", figure_ppi=600)
    drawing = Image.open(root / "build" / "submission" / "figure2.tif")
    assert tuple(round(v) for v in drawing.info["dpi"]) == (600, 600)
    assert abs(drawing.size[0] - 1200) <= 2 and abs(drawing.size[1] - 600) <= 2
    submit(root, verbose=False, floats="separate", figure_format="pdf")
    assert (root / "build" / "submission" / "figure2.pdf").read_bytes() == (figures / "drawing.pdf").read_bytes()
