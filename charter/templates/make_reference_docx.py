"""Make the DOCX reference document (the Word styles of the manuscript) from pandoc's default.

Run by the build (``charter.compile.pandoc.reference_docx``) into build/, or by hand::

    python charter/templates/make_reference_docx.py build/reference.docx [a4|letter]

A review changes the look by copying this file to its own ``templates/``
folder and editing it there: the build uses the review's copy when present.

The journal look is written here as code so that a change of style is a
reviewable diff, not an opaque binary edited in Word: a serif 12 pt body,
double spacing, page numbers in the footer, plain bold headings, a title page,
single-spaced tables, captions in the journal's style.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS = {"w": W}

SERIF = "Times New Roman"
# Page sizes in twentieths of a point (twips): width, height.
PAPER = {"a4": (11906, 16838), "letter": (12240, 15840)}
MARGIN = 1440  # 2.54 cm / 1 inch on every side

BODY = '<w:spacing w:before="0" w:after="0" w:line="480" w:lineRule="auto"/><w:ind w:firstLine="567"/>'
SINGLE = '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'

# styleId -> (display name, based on, paragraph properties, run properties). Replaces pandoc's definition.
STYLES: dict[str, tuple[str, str | None, str, str]] = {
    "Normal": ("Normal", None, '<w:spacing w:after="0" w:line="480" w:lineRule="auto"/>', ""),
    "BodyText": ("Body Text", "Normal", BODY, ""),
    "FirstParagraph": ("First Paragraph", "BodyText", '<w:ind w:firstLine="0"/>', ""),
    # Table cells: never hyphenated, even when a co-author turns on automatic hyphenation.
    "Compact": ("Compact", "Normal", '<w:suppressAutoHyphens/>' + SINGLE + '<w:ind w:firstLine="0"/>',
                '<w:sz w:val="20"/><w:szCs w:val="20"/>'),
    "FootnoteText": ("footnote text", "Normal", SINGLE, '<w:sz w:val="20"/><w:szCs w:val="20"/>'),
    "Title": ("Title", "Normal", '<w:spacing w:before="1440" w:after="480" w:line="360" w:lineRule="auto"/>'
              '<w:jc w:val="center"/>', '<w:b/><w:sz w:val="32"/><w:szCs w:val="32"/>'),
    "Subtitle": ("Subtitle", "Title", '<w:spacing w:before="0" w:after="480"/>',
                 '<w:b w:val="0"/><w:sz w:val="28"/><w:szCs w:val="28"/>'),
    # 1.5 lines like the affiliations, and not kept with the next: a long author list kept whole at
    # double spacing did not fit under the title, and Word and LibreOffice moved all of it to page 2.
    "Author": ("Author", "Normal", '<w:jc w:val="center"/><w:spacing w:line="360" w:lineRule="auto"/>', ""),
    "Affiliation": ("Affiliation", "Normal", '<w:jc w:val="center"/><w:spacing w:line="360" w:lineRule="auto"/>',
                    '<w:i/><w:sz w:val="22"/><w:szCs w:val="22"/>'),
    "AuthorNote": ("Author Note", "Normal", '<w:spacing w:before="240" w:line="360" w:lineRule="auto"/>',
                   '<w:sz w:val="22"/><w:szCs w:val="22"/>'),
    "AbstractTitle": ("Abstract Title", "Normal", '<w:keepNext/><w:spacing w:before="480" w:after="0"/>',
                      '<w:b/>'),
    "Abstract": ("Abstract", "Normal", '<w:ind w:left="567" w:right="567"/>', ""),
    "Keywords": ("Keywords", "Normal", '<w:spacing w:before="240"/><w:ind w:left="567" w:right="567"/>', ""),
    "Heading1": ("heading 1", "Normal", '<w:keepNext/><w:keepLines/><w:spacing w:before="480" w:after="0"/>'
                 '<w:outlineLvl w:val="0"/>', '<w:b/><w:sz w:val="28"/><w:szCs w:val="28"/>'),
    "Heading2": ("heading 2", "Normal", '<w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="0"/>'
                 '<w:outlineLvl w:val="1"/>', '<w:b/><w:i/>'),
    "Heading3": ("heading 3", "Normal", '<w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="0"/>'
                 '<w:outlineLvl w:val="2"/>', '<w:i/>'),
    "TableCaption": ("Table Caption", "Normal", '<w:keepNext/><w:spacing w:before="0" w:after="120" '
                     'w:line="240" w:lineRule="auto"/>', ""),
    "ImageCaption": ("Image Caption", "Normal", '<w:spacing w:before="120" w:after="240" w:line="240" '
                     'w:lineRule="auto"/>', ""),
    "CaptionedFigure": ("Captioned Figure", "Normal", '<w:keepNext/><w:jc w:val="center"/>' + SINGLE, ""),
    "Figure": ("Figure", "Normal", '<w:jc w:val="center"/>' + SINGLE, ""),
    "TableNote": ("Table Note", "Normal", '<w:spacing w:before="120" w:after="0" w:line="240" w:lineRule="auto"/>',
                  '<w:sz w:val="20"/><w:szCs w:val="20"/>'),
    "Bibliography": ("Bibliography", "Normal", '<w:ind w:left="567" w:hanging="567"/>', ""),
    "Footer": ("footer", "Normal", '<w:jc w:val="center"/>' + SINGLE, ""),
}

# Tables: a rule above and below the table and under the bold header row, thin grey rules
# between rows (a long Table 1 is easier to follow), and a little space inside cells.
TABLE_STYLE = f"""<w:style xmlns:w="{W}" w:type="table" w:default="1" w:styleId="Table">
<w:name w:val="Table"/><w:basedOn w:val="TableNormal"/><w:qFormat/>
<w:tblPr><w:tblInd w:w="0" w:type="dxa"/>
<w:tblBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>
<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/>
<w:insideH w:val="single" w:sz="2" w:space="0" w:color="BFBFBF"/></w:tblBorders>
<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>
<w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr>
<w:tblStylePr w:type="firstRow"><w:rPr><w:b/></w:rPr>
<w:tcPr><w:tcBorders><w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/></w:tcBorders>
<w:vAlign w:val="bottom"/></w:tcPr></w:tblStylePr>
</w:style>"""

FOOTER_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>
<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>
<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>
</w:p></w:ftr>"""


def _style(style_id: str, name: str, based_on: str | None, ppr: str, rpr: str) -> etree._Element:
    built_in = ("Normal", "Title", "Subtitle", "Bibliography", "FootnoteText")
    custom = "" if style_id in built_in or style_id.startswith("Heading") else ' w:customStyle="1"'
    default = ' w:default="1"' if style_id == "Normal" else ""
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    xml = (f'<w:style xmlns:w="{W}" w:type="paragraph"{default}{custom} w:styleId="{style_id}">'
           f'<w:name w:val="{name}"/>{based}<w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>')
    return etree.fromstring(xml)


def restyle(styles_xml: bytes) -> bytes:
    """Set the serif 12 pt default font and replace the paragraph styles listed in STYLES."""
    root = etree.fromstring(styles_xml)
    fonts = root.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(f"{{{W}}}{attribute}", SERIF)
    language = root.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    if language is not None:
        language.set(f"{{{W}}}val", "en-GB")
    for old in root.findall("w:style[@w:styleId='Table']", NS):
        root.remove(old)
    root.append(etree.fromstring(TABLE_STYLE))
    for style_id, (name, based_on, ppr, rpr) in STYLES.items():
        for old in root.findall(f"w:style[@w:styleId='{style_id}']", NS):
            root.remove(old)
        root.append(_style(style_id, name, based_on, ppr, rpr))
    # Headings and the title in the body's colour and font, not the theme's blue sans-serif.
    for char_style in root.findall("w:style[@w:type='character']", NS):
        for element in char_style.findall("w:rPr/w:color", NS) + char_style.findall("w:rPr/w:rFonts", NS):
            if char_style.get(f"{{{W}}}styleId") != "Hyperlink":
                element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def add_footer(files: dict[str, bytes], paper: str) -> None:
    """Add a footer with the page number and set the page size and margins of the (only) section."""
    files["word/footer1.xml"] = FOOTER_XML.encode()
    rels = etree.fromstring(files["word/_rels/document.xml.rels"])
    etree.SubElement(rels, f"{{{PKG_REL}}}Relationship", Id="rIdCharterFooter1", Target="footer1.xml",
                     Type=f"{R}/footer")
    files["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                                           standalone=True)
    types = etree.fromstring(files["[Content_Types].xml"])
    etree.SubElement(types, f"{{{CT}}}Override", PartName="/word/footer1.xml",
                     ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml")
    files["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)

    document = etree.fromstring(files["word/document.xml"])
    body = document.find("w:body", NS)
    sect = body.find("w:sectPr", NS)
    for child in list(sect):
        sect.remove(child)
    width, height = PAPER[paper]
    sect.append(etree.fromstring(f'<w:footerReference xmlns:w="{W}" xmlns:r="{R}" w:type="default" '
                                 f'r:id="rIdCharterFooter1"/>'))
    sect.append(etree.fromstring(f'<w:footnotePr xmlns:w="{W}"><w:numRestart w:val="eachSect"/></w:footnotePr>'))
    sect.append(etree.fromstring(f'<w:pgSz xmlns:w="{W}" w:w="{width}" w:h="{height}"/>'))
    sect.append(etree.fromstring(f'<w:pgMar xmlns:w="{W}" w:top="{MARGIN}" w:right="{MARGIN}" '
                                 f'w:bottom="{MARGIN}" w:left="{MARGIN}" w:header="720" w:footer="720" '
                                 f'w:gutter="0"/>'))
    # The sample paragraphs of pandoc's default document are not needed.
    for paragraph in body.findall("w:p", NS):
        body.remove(paragraph)
    files["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)


def make_reference_docx(default_docx: bytes, paper: str = "a4") -> bytes:
    """Return the reference DOCX: pandoc's default with the journal's styles, footer and page size."""
    with zipfile.ZipFile(io.BytesIO(default_docx)) as source:
        names = source.namelist()
        files = {name: source.read(name) for name in names}
    files["word/styles.xml"] = restyle(files["word/styles.xml"])
    add_footer(files, paper)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in [*names, "word/footer1.xml"]:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # fixed: reproducible bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, files[name])
    return out.getvalue()


def main(argv: list[str]) -> int:
    import subprocess

    import pypandoc

    if not argv or len(argv) > 2 or (len(argv) == 2 and argv[1] not in PAPER):
        print(__doc__)
        return 2
    default = subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                             check=True, capture_output=True).stdout
    Path(argv[0]).write_bytes(make_reference_docx(default, argv[1] if len(argv) == 2 else "a4"))
    print(argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
