"""The reference for first-screen figures: a bare Textual app (Header, one Static, Footer)."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class BareApp(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("bare textual app ready")
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
