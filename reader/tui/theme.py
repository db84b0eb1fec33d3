"""The theme: the one config.json names at start, and the one chosen in the palette kept there."""

from __future__ import annotations

from pathlib import Path

from textual.app import App


def remember_theme(app: App, configured: str | None, config_path: Path) -> None:
    """Use the configured theme (if Textual has it); from now on a theme the user picks is saved to
    config.json (its other settings as they were), and a theme that cannot be saved is used anyway."""
    if configured and configured in app.available_themes:
        app.theme = configured
    saved = [app.theme]  # what config.json holds (or the default): changes from now on are the user's

    def save(theme) -> None:
        from reader.core.config import save_setting

        if theme.name == saved[0]:
            return
        try:
            save_setting(config_path, "theme", theme.name)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            app.notify(f"Theme {theme.name} is used now, but not saved: {reason}", severity="warning", timeout=8)
            return
        saved[0] = theme.name
        app.notify(f"Theme {theme.name} saved to {config_path}", timeout=4)

    app.theme_changed_signal.subscribe(app, save)
