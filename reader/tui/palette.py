"""The reader's colours, readable in every theme the palette offers: WCAG AA contrast (4.5:1) for every text.

Textual's themes pick their accent, warning and muted text for their own widgets, not for the reader's text:
the light themes put an orange accent on light grey (about 1.4:1), and the cursor row paints the unread mark
in the accent on the primary colour (about 1:1 in dracula). So the reader never shows the theme's colours as
they are: ReaderVariables (mixed into the app) adds to the theme's CSS variables the reader's own, each the
theme's colour moved just far enough towards white or black (its hue kept) to be readable on every
background it is shown on:

- `$reader-text`, `$reader-muted` (dates, counts, votes, labels: the theme's `$text-muted` where it is
  readable), `$reader-accent` (unread marks, section headings, links, the focused pane's title) and
  `$reader-warning` (the star marks and warnings, from the theme's warning colour);
- `$reader-cursor` / `$reader-cursor-blurred`: the highlighted row of the focused / other list, the theme's
  primary blended into the pane's background (the theme's full primary under an accent mark is unreadable),
  with `$reader-cursor-style` / `$reader-cursor-blurred-style`;
- the footer's key and description colours (Textual's `$footer-key-foreground`, ...) on the footer;
- `$reader-notice-text` and the titles of notices (`$reader-notice-information`, `-warning`, `-error`) on
  the notices' background (Textual's toasts).

The ANSI themes (ansi-dark, ansi-light) draw with the terminal's own palette, which only the terminal knows:
there the reader's text keeps the terminal's default colour, the accent and the star their ANSI colour where
it is readable in the palette Textual assumes for that theme (App.ansi_theme), and the cursor row is drawn
in reverse video (the terminal's own default pair, swapped).

Textual's `dim` is a blend halfway to the background, which no theme keeps readable: the reader's text uses
`$reader-muted` instead.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.color import Color as RichColor
from rich.terminal_theme import TerminalTheme
from textual.color import Color, ColorParseError

from reader.core.config import DEFAULT_LIST_WIDTH

AA = 4.5
# The colours are chosen a little above the goal: Textual blends and rounds colours to whole numbers on the
# way to the screen, and a contrast computed at exactly 4.5 could come out at 4.49.
TARGET = 4.6
CURSOR = 0.4  # how much of the theme's primary colour the cursor row of the focused list takes
CURSOR_BLURRED = 0.2  # ... and of a list without the focus
FOCUS_TINT = 0.05  # Textual's OptionList tints its background with 5% of the foreground when focused

NOTICE_COLORS = {"information": "success", "warning": "warning", "error": "error"}  # as Textual's toasts

WHITE = Color(255, 255, 255)
BLACK = Color(0, 0, 0)


def luminance(color: Color) -> float:
    """WCAG 2's relative luminance of an opaque colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(first: Color, second: Color) -> float:
    """WCAG 2's contrast ratio of two opaque colours, 1 to 21."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(color: Color, backgrounds: list[Color], minimum: float = TARGET) -> Color:
    """color where it is readable on every one of backgrounds; else the colour nearest to it, towards white
    or towards black (whichever needs the smaller step), that is."""

    def worst(candidate: Color) -> float:
        return min(contrast(candidate, background) for background in backgrounds)

    if worst(color) >= minimum:
        return color
    best: tuple[float, Color] | None = None
    for target in (WHITE, BLACK):
        if worst(target) < minimum:
            continue
        low, high = 0.0, 1.0  # the smallest blend towards target that is readable
        for _ in range(24):
            middle = (low + high) / 2
            if worst(color.blend(target, middle, alpha=1.0)) >= minimum:
                high = middle
            else:
                low = middle
        if best is None or high < best[0]:
            best = (high, color.blend(target, high, alpha=1.0))
    if best is None:  # no colour reads on all of them: the one that reads best
        return max((WHITE, BLACK), key=worst)
    return best[1]


def solid(value: str, under: Color) -> Color:
    """A CSS colour value of a theme ("#rrggbb", "#rrggbbaa", "auto 60%", "$panel" resolved already) as the
    opaque colour it becomes over under."""
    value = value.strip()
    if value.startswith("auto"):
        percent = value[4:].strip().rstrip("%")
        return under + under.get_contrast_text(float(percent) / 100 if percent else 1.0)
    color = Color.parse(value)
    return under + color if color.a < 1 else color.with_alpha(1.0)


def _ansi_truecolor(value: str, theme: TerminalTheme, foreground: bool) -> Color:
    rich = Color.parse(value).rich_color
    return Color(*rich.get_truecolor(theme, foreground=foreground))


def reader_variables(variables: dict[str, str], *, ansi: bool = False,
                     terminal: TerminalTheme | None = None) -> dict[str, str]:
    """The reader's CSS variables for a theme whose Textual variables are variables (App.get_css_variables);
    ansi: the theme draws with the terminal's palette (terminal: the palette Textual assumes for it)."""
    if ansi:
        return _ansi_variables(variables, terminal)
    surface = solid(variables["surface"], BLACK)
    foreground = solid(variables["foreground"], surface)
    primary = solid(variables["primary"], surface)
    focused = surface.tint(foreground.with_alpha(FOCUS_TINT))
    cursor = surface.blend(primary, CURSOR, alpha=1.0)
    cursor_blurred = surface.blend(primary, CURSOR_BLURRED, alpha=1.0)
    backgrounds = [surface, focused, cursor, cursor_blurred]
    muted = solid(variables.get("text-muted", "auto 60%"), surface)
    footer = solid(variables.get("footer-background", variables["panel"]), BLACK)
    footer_key = solid(variables.get("footer-key-foreground", variables["accent"]), footer)
    footer_text = solid(variables.get("footer-description-foreground", variables["foreground"]), footer)
    notice = solid(variables.get("panel-lighten-1", variables["panel"]), surface)  # a Toast's background
    return {
        "reader-text": readable(foreground, backgrounds).hex,
        "reader-muted": readable(muted, backgrounds).hex,
        "reader-accent": readable(solid(variables["accent"], surface), backgrounds).hex,
        "reader-warning": readable(solid(variables["warning"], surface), backgrounds).hex,
        "reader-cursor": cursor.hex,
        "reader-cursor-style": "bold",
        "reader-cursor-blurred": cursor_blurred.hex,
        "reader-cursor-blurred-style": "none",
        "footer-key-foreground": readable(footer_key, [footer]).hex,
        "footer-description-foreground": readable(footer_text, [footer]).hex,
        "reader-notice-text": readable(foreground, [notice]).hex,
        **{f"reader-notice-{severity}": readable(solid(variables.get(f"text-{name}", variables[name]), notice),
                                                 [notice]).hex
           for severity, name in NOTICE_COLORS.items()},
    }


def _ansi_variables(variables: dict[str, str], terminal: TerminalTheme | None) -> dict[str, str]:
    def kept(name: str, under: str = "ansi_default") -> str:
        """The theme's ANSI colour where it reads on the background under, else the default colour."""
        value = variables[name]
        if terminal is None:
            return value
        try:
            shown = _ansi_truecolor(value, terminal, foreground=True)
            background = _ansi_truecolor(under, terminal, foreground=False)
        except Exception:  # noqa: BLE001 - not a colour Rich knows: the terminal's default is
            return "ansi_default"
        return value if contrast(shown, background) >= AA else "ansi_default"

    notice = variables.get("ansi-background", "ansi_default")  # a Toast's background in an ANSI theme

    return {
        "reader-text": "ansi_default",
        "reader-muted": "ansi_default",
        "reader-accent": kept("accent"),
        "reader-warning": kept("warning"),
        "reader-cursor": "ansi_default",
        "reader-cursor-style": "bold reverse",
        "reader-cursor-blurred": "ansi_default",
        "reader-cursor-blurred-style": "underline",
        "reader-notice-text": "ansi_default",
        **{f"reader-notice-{severity}": kept(f"text-{name}", notice) for severity, name in NOTICE_COLORS.items()},
    }


# The colours of a bare App (a test showing a widget alone): textual-dark's, readable.
DEFAULTS = {"reader-text": "#e0e0e0", "reader-muted": "#a0a0a0", "reader-accent": "#ffa62b", "reader-warning": "#ffc473"}


class RichColors(NamedTuple):
    """The reader's colours as Rich colours, for what the summary pane renders with Rich."""

    text: RichColor
    muted: RichColor
    accent: RichColor
    warning: RichColor


def rich_colors(variables: dict[str, str]) -> RichColors:
    def get(name: str) -> RichColor:
        return Color.parse(variables.get(name) or DEFAULTS[name]).rich_color

    return RichColors(get("reader-text"), get("reader-muted"), get("reader-accent"), get("reader-warning"))


# Each variable of the reader, from the theme's own (a theme reader_variables cannot read).
FALLBACK = {
    "reader-text": ("foreground", "ansi_default"), "reader-muted": ("foreground", "ansi_default"),
    "reader-accent": ("accent", "ansi_default"), "reader-warning": ("warning", "ansi_default"),
    "reader-cursor": ("block-cursor-background", "ansi_default"),
    "reader-cursor-style": ("block-cursor-text-style", "bold"),
    "reader-cursor-blurred": ("block-cursor-blurred-background", "ansi_default"),
    "reader-cursor-blurred-style": ("block-cursor-blurred-text-style", "none"),
    "reader-notice-text": ("foreground", "ansi_default"), "reader-notice-information": ("text-success", "ansi_default"),
    "reader-notice-warning": ("text-warning", "ansi_default"), "reader-notice-error": ("text-error", "ansi_default"),
}


def layout_variables(list_width: int) -> dict[str, str]:
    """The panes' proportions: the paper list takes list_width percent of the width beside the day list, the
    summary the rest (and no more than its comfortable measure: styles/reader.tcss)."""
    return {"reader-list-width": f"{list_width}fr", "reader-summary-width": f"{100 - list_width}fr"}


class ReaderVariables:
    """Mixed into the App before textual.app.App: the theme's CSS variables and the reader's own (its colours
    in the theme, the panes' proportions from config.json)."""

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()  # type: ignore[misc]
        theme = self.current_theme  # type: ignore[attr-defined]
        try:
            reader = reader_variables(variables, ansi=theme.ansi, terminal=self.ansi_theme)  # type: ignore[attr-defined]
        except (KeyError, ValueError, ColorParseError):  # colours not read here: the theme's own, as they are
            reader = {name: variables.get(source, fallback) for name, (source, fallback) in FALLBACK.items()}
        variables.update(reader)
        variables.update(layout_variables(self._list_width()))
        self.theme_variables = variables
        return variables

    def _list_width(self) -> int:
        config = getattr(self, "config", None)  # (Textual asks for the variables before the app has its config)
        return config.list_width if config is not None else DEFAULT_LIST_WIDTH

    def on_mount(self) -> None:
        # Textual read the variables before the app had its config: a list width of the user's is applied
        # now (the default needs nothing, and a start without the setting pays nothing).
        if self.theme_variables.get("reader-list-width") != layout_variables(self._list_width())["reader-list-width"]:
            self.refresh_css(animate=False)  # type: ignore[attr-defined]
