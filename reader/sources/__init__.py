"""What brings papers in from outside (the archive, digest files, Hugging Face, arXiv, the user's model), into
the library folder and the metadata store; never imports Textual (see ARCHITECTURE.md)."""
