"""Compile the document with pandoc, citeproc and Typst into DOCX and PDF, as cached stages."""
