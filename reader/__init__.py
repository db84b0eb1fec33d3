"""daily-papers: a terminal reader for the Korean digests of Hugging Face Daily Papers."""

__version__ = "0.1.0"
