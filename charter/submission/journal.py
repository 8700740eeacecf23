"""``invoke submit``: what the journal's files need beyond the built manuscript.

The journal's requirements are written once, under ``submission:`` in
manuscript/metadata.yaml (``charter.sources.submission_options``,
docs/submission.md); the command line overrides them. For the stages of
``charter.submission.submit`` this module makes:

* Word's own continuous line numbering (``w:lnNumType`` in every section) and
  the requested line spacing in a DOCX; Typst's line numbers (``par.line``) and
  the same spacing in the PDF's source;
* each figure as its own file at the requested format and resolution (Charter's
  flow diagram and the authors' own images);
* tables and figures moved to the end or out of the text, with a marker
  paragraph where each was.

Word counts are ``charter.document.word_counts``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from typing import Mapping

from charter.document.word_counts import plain_text
from charter.sources.submission_options import SubmissionOptions
from charter.compile.pandoc import docx_package
from charter.paths import inside

# ---------------------------------------------------------- DOCX line numbers

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# The children of w:sectPr that come after w:lnNumType in the schema (Word refuses another order).
_AFTER_LNNUM = ("pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi",
                "rtlGutter", "docGrid", "printerSettings", "sectPrChange")
_LINE = {1.0: "240", 1.5: "360", 2.0: "480"}


def number_docx(data: bytes, options: SubmissionOptions) -> bytes:
    """The DOCX with continuous line numbers in every section and the requested line spacing."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = source.namelist()
        files = {name: source.read(name) for name in names}
    document = etree.fromstring(files["word/document.xml"])
    if options.line_numbers:
        for section in document.iter(f"{{{W}}}sectPr"):
            for old in section.findall(f"{{{W}}}lnNumType"):
                section.remove(old)
            number = etree.Element(f"{{{W}}}lnNumType")
            number.set(f"{{{W}}}countBy", "1")
            number.set(f"{{{W}}}restart", "continuous")
            after = next((i for i, child in enumerate(section)
                          if etree.QName(child).localname in _AFTER_LNNUM), len(section))
            section.insert(after, number)
    files["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
    files["word/styles.xml"] = _styles(files["word/styles.xml"], options)
    return docx_package(names, files)


def _styles(styles_xml: bytes, options: SubmissionOptions) -> bytes:
    """Line spacing in every paragraph style that sets one and in the defaults; references unnumbered if asked."""
    from lxml import etree

    root = etree.fromstring(styles_xml)
    line = _LINE[options.spacing]
    defaults = root.find(f"{{{W}}}docDefaults/{{{W}}}pPrDefault/{{{W}}}pPr")
    for ppr in [defaults, *root.iter(f"{{{W}}}pPr")]:
        if ppr is None:
            continue
        spacing = ppr.find(f"{{{W}}}spacing")
        if spacing is None and ppr is defaults:
            spacing = etree.SubElement(ppr, f"{{{W}}}spacing")
        if spacing is not None:
            spacing.set(f"{{{W}}}line", line)
            spacing.set(f"{{{W}}}lineRule", "auto")
    for style in root.iter(f"{{{W}}}style"):
        name = style.find(f"{{{W}}}name")
        label = name.get(f"{{{W}}}val") if name is not None else ""
        unnumbered = (label == "Bibliography" and not options.number_references) or \
                     (label in ("Table", "Table Note", "Table Caption") and not options.number_tables)
        if unnumbered:
            ppr = style.find(f"{{{W}}}pPr")
            if ppr is None:
                ppr = etree.SubElement(style, f"{{{W}}}pPr")
            if ppr.find(f"{{{W}}}suppressLineNumbers") is None:
                ppr.insert(0, etree.Element(f"{{{W}}}suppressLineNumbers"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ----------------------------------------------------------- PDF line numbers

_LEADING = {1.0: "0.65em", 1.5: "1.1em", 2.0: "1.6em"}


def number_typst(source: str, options: SubmissionOptions) -> str:
    """build/manuscript.typ with Typst's line numbers (never restarting) and the requested spacing."""
    rules = [f"#set par(leading: {_LEADING[options.spacing]})"]
    if options.line_numbers:
        rules.append('#set par.line(numbering: "1", numbering-scope: "document")')
        # the lines drawn inside a figure (the PRISMA boxes) are not lines of text
        rules.append('#show figure.where(kind: image): set par.line(numbering: none)')
        if not options.number_tables:
            rules.append('#show table: set par.line(numbering: none)')
        if not options.number_references:
            rules.append('#show <refs>: set par.line(numbering: none)')
    marker = "// ---------------------------------------------------------------- title page"
    if marker in source:  # after the template's own settings, so these win
        return source.replace(marker, "\n".join(rules) + "\n" + marker, 1)
    return "\n".join(rules) + "\n" + source


# -------------------------------------------------------------------- figures


def figure_file(page_typst: str, fmt: str, ppi: int, root: Path | None = None) -> bytes:
    """A figure drawn in Typst as a file: PNG and TIFF at ``ppi`` (recorded in the file), PDF or SVG.
    ``root``: the folder the page may read images from."""
    import typst

    where = {"root": str(root)} if root is not None else {}
    if fmt in ("pdf", "svg"):
        return typst.compile(page_typst.encode("utf-8"), format=fmt, **where)
    from charter.document.prisma import with_ppi

    png = with_ppi(typst.compile(page_typst.encode("utf-8"), format="png", ppi=ppi, **where), ppi)
    if fmt == "png":
        return png
    from PIL import Image  # TIFF: Typst writes no TIFF; Pillow converts the PNG and records the resolution

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, format="TIFF", dpi=(ppi, ppi), compression="tiff_lzw")
    return out.getvalue()


VECTOR_IMAGES = (".svg", ".pdf")
MIN_PRINTED_WIDTH_CM = 8.0  # about one journal column: a figure narrower than this at the requested ppi is too small


class FigureFileError(ValueError):
    """An authors' image that cannot be written as a file of its own; the message says why and what to do."""


def own_figure_file(root: Path, image: str, fmt: str, ppi: int, label: str) -> tuple[bytes, str, list[str]]:
    """The authors' image as a file of its own at the journal's format and resolution: (data, extension, notes).

    A vector image (SVG, PDF) is drawn again by Typst: PNG/TIFF at ``ppi`` from the drawing itself, PDF or SVG
    as vector (the file as it is when it already has that format; a PDF's first page). A raster image (PNG, JPEG,
    TIFF, GIF, …) keeps its pixels: Pillow converts it and records ``ppi`` (no pixels are invented), and a note
    says when it then prints narrower than a journal column; asked for SVG, a raster image is written as PNG,
    since it cannot be made a vector drawing.
    """
    source = inside(root, image)
    if source is None or not source.is_file():
        raise FigureFileError(f"{label}: the image {image} is not a file in the project folder")
    suffix = source.suffix.lower()
    if suffix in VECTOR_IMAGES:
        if fmt == suffix[1:]:
            return source.read_bytes(), fmt, []
        path = "/" + source.relative_to(Path(os.path.realpath(root))).as_posix()
        quoted = path.replace("\\", "\\\\").replace('"', '\\"')
        page = f'#set page(width: auto, height: auto, margin: 0pt)\n#image("{quoted}")\n'
        try:
            data = figure_file(page, fmt, ppi, root=Path(os.path.realpath(root)))
        except Exception as error:  # typst's own error: an SVG or PDF it cannot draw
            raise FigureFileError(f"{label}: Typst could not draw {image} ({' '.join(str(error).split())[:200]}); "
                                  "export the figure again as SVG, PDF or PNG") from error
        return data, "tif" if fmt == "tiff" else fmt, []
    return _raster_figure(source, image, fmt, ppi, label)


def _raster_figure(source: Path, image: str, fmt: str, ppi: int, label: str) -> tuple[bytes, str, list[str]]:
    from PIL import Image, UnidentifiedImageError

    notes = []
    try:
        with Image.open(source) as opened:
            opened.seek(0)  # an animated GIF: its first frame
            picture = opened.copy()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise FigureFileError(f"{label}: {image} cannot be read as an image ({error}); export it as PNG, TIFF, "
                              "JPEG, SVG or PDF") from error
    if fmt == "svg":
        notes.append(f"{label} ({image}) is a raster image and cannot be made a vector SVG: written as PNG at "
                     f"{ppi} ppi; export it from the program that drew it as SVG if the journal needs vector files")
        fmt = "png"
    width_cm = picture.width / ppi * 2.54
    if width_cm < MIN_PRINTED_WIDTH_CM:
        notes.append(f"{label} ({image}) is {picture.width} pixels wide: at {ppi} ppi it prints {width_cm:.1f} cm "
                     f"wide, narrower than a journal column ({MIN_PRINTED_WIDTH_CM:.0f} cm); supply an image of at "
                     f"least {round(MIN_PRINTED_WIDTH_CM / 2.54 * ppi)} pixels across (pixels are not invented)")
    if picture.mode in ("RGBA", "LA", "P", "PA") and fmt in ("tiff", "pdf"):
        # TIFF and PDF for print: no transparency, flattened on white
        rgba = picture.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        picture = flat
    elif picture.mode not in ("RGB", "RGBA", "L", "LA", "P", "1", "CMYK") or \
            (picture.mode == "CMYK" and fmt == "png"):
        picture = picture.convert("RGB")
    out = io.BytesIO()
    if fmt == "png":
        picture.save(out, format="PNG", dpi=(ppi, ppi))
    elif fmt == "tiff":
        picture.save(out, format="TIFF", dpi=(ppi, ppi), compression="tiff_lzw")
    else:
        picture.convert("RGB" if picture.mode != "L" else "L").save(out, format="PDF", resolution=float(ppi))
    return out.getvalue(), "tif" if fmt == "tiff" else fmt, notes


# ------------------------------------------------- tables and figures at the end

_PAGE_BREAK = [{"t": "RawBlock", "c": ["openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>']},
               {"t": "RawBlock", "c": ["typst", "#pagebreak(weak: true)"]}]


def _first_strong(node) -> str | None:
    """The first bold text inside a node: a caption's "Table 1." or "Figure 1."."""
    if isinstance(node, list):
        for item in node:
            found = _first_strong(item)
            if found:
                return found
    elif isinstance(node, dict):
        if node.get("t") == "Strong":
            return plain_text(node["c"]).strip().rstrip(".")
        return _first_strong(node.get("c"))
    return None


_FIGURE_LABEL_RE = re.compile(r"(?:Figure|Fig\.?)\s+\S+", re.IGNORECASE)


def _own_figure(block: dict) -> dict | None:
    """The authors' figure a top-level block is, if any: a prose block of the sections holding only an image
    with its caption (``![**Figure 2.** …](figures/map.png)``); returns pandoc's Figure block."""
    if block.get("t") != "Div" or "charter-prose" not in block["c"][0][1]:
        return None
    inner = block["c"][1]
    if len(inner) == 1 and inner[0].get("t") == "Figure":
        return inner[0]
    return None


def _figure_image(figure: dict) -> str | None:
    """The image file a Figure block shows (its path from the project folder, as the build wrote it)."""
    for block in figure["c"][2]:
        for inline in block.get("c", []) if block.get("t") in ("Plain", "Para") else []:
            if isinstance(inline, dict) and inline.get("t") == "Image":
                return inline["c"][2][0]
    return None


def _float_units(blocks: list) -> list[tuple[int, int, str]]:
    """(first, last + 1, label) of each table and figure in the top-level blocks, with the raw page
    setup around a landscape table and the Typst twin of a figure; the authors' own figures too, labelled
    by their caption's bold "Figure 2." or, without one, numbered on from the others in text order."""
    units = _charter_float_units(blocks)
    for index, block in enumerate(blocks):
        figure = _own_figure(block)
        if figure is not None:
            label = _first_strong(figure["c"][1])
            units.append((index, index + 1, label if label and _FIGURE_LABEL_RE.fullmatch(label) else ""))
    units.sort()
    used = {int(m.group(1)) for _, _, label in units if (m := re.fullmatch(r"Figure (\d+)", label))}
    numbered = []
    for start, end, label in units:
        if not label:
            number = next(n for n in range(1, len(units) + len(used) + 2) if n not in used)
            used.add(number)
            label = f"Figure {number}"
        numbered.append((start, end, label))
    return numbered


def own_figures(document: Mapping) -> list[tuple[str, str]]:
    """The authors' own figures, in text order: (label, image path from the project folder) of each."""
    blocks = document.get("blocks", [])
    figures = []
    for start, _, label in _float_units(blocks):
        figure = _own_figure(blocks[start])
        image = _figure_image(figure) if figure is not None else None
        if image:
            figures.append((label, image))
    return figures


def _charter_float_units(blocks: list) -> list[tuple[int, int, str]]:
    """(first, last + 1, label) of Table 1 and Figure 1 as the build placed them."""
    units = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        kind = block.get("t")
        if kind == "Table":
            start, end = index, index + 1
            while start > 0 and blocks[start - 1].get("t") == "RawBlock" and \
                    ("sectPr" in blocks[start - 1]["c"][1] or "flipped: true" in blocks[start - 1]["c"][1]):
                start -= 1
            if end < len(blocks) and blocks[end].get("t") == "Div" and "charter-table-note" in blocks[end]["c"][0][1]:
                end += 1
            while end < len(blocks) and blocks[end].get("t") == "RawBlock" and \
                    ("sectPr" in blocks[end]["c"][1] or "flipped: false" in blocks[end]["c"][1]):
                end += 1
            units.append((start, end, _first_strong(block["c"][1]) or "Table"))
            index = end
            continue
        if kind == "Div" and "charter-docx-only" in block["c"][0][1] and \
                any(b.get("t") == "Figure" for b in block["c"][1]):
            end = index + 1
            if end < len(blocks) and blocks[end].get("t") == "RawBlock" and blocks[end]["c"][0] == "typst" and \
                    blocks[end]["c"][1].lstrip().startswith("#figure"):
                end += 1
            units.append((index, end, _first_strong(block["c"][1]) or "Figure"))
            index = end
            continue
        index += 1
    return units


def move_floats(document: dict, floats: str, marker: str = "[{label} about here]") -> dict:
    """Tables and figures to the end of the document (``end``) or out of it (``separate``), each
    leaving a marker paragraph where it was. The text's cross-references are already text ("Table 1"),
    so they keep their numbers."""
    if floats == "inline":
        return document
    blocks = list(document["blocks"])
    units = _float_units(blocks)
    moved, kept, previous = [], [], 0
    for start, end, label in units:
        kept += blocks[previous:start]
        kept.append({"t": "Para", "c": [{"t": "Str", "c": marker.replace("{label}", label)}]})
        moved.append(blocks[start:end])
        previous = end
    kept += blocks[previous:]
    if floats == "end":
        for unit in moved:
            kept += [*_PAGE_BREAK, *unit]
    return {**document, "blocks": kept}
