"""Charter: build a review manuscript (DOCX and PDF) from study files, and prove its numbers."""

__version__ = "0.1.0"
