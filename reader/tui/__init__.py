"""The Textual reader: a thin layer over reader.core. Build it with reader.tui.app.make_app()."""
