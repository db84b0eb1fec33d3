"""Every theme the palette offers keeps the reader's text readable: WCAG AA, 4.5:1 against its background.

The screen is rendered by Textual itself in each theme (the theme's variables resolved by its own machinery,
App.get_css_variables, and the reader's CSS over them), and every cell that holds a character of text is
measured: the panes' text, the muted dates and counts, the unread marks, the stars, the section headings and
links of the summary, the cursor rows, the pane titles, the footer, a notice; then the boxes over the panes
(help, search, the citation chooser). The contrast is computed here from WCAG 2's formula, independently of
reader.tui.palette. Box drawing (borders, scrollbars) is not text and is left out.

The ANSI themes draw with the terminal's own palette: they are measured in the palette Textual assumes for
them (App.ansi_theme, what Textual itself turns ANSI colours into when the terminal cannot).
"""

from __future__ import annotations

import pytest
from textual.color import Color
from textual.filter import ANSIToTruecolor
from textual.geometry import Region
from textual.theme import ThemeProvider

from reader.core.config import Config
from reader.core.library import Library
from reader.core.state import StateStore
from reader.tui.app import make_app
from tui_support import FakeSystem

AA = 4.5


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _is_text(char: str) -> bool:
    return not char.isspace() and not 0x2500 <= ord(char) <= 0x259F  # box drawing and block elements


def _digest(tmp_path):
    """Two days: one to read (unread, read and starred papers; authors cut; Markdown with list markers, a
    link, an image and a rule), one all read (its ✓)."""
    authors = ", ".join(f"Author Number{n}" for n in range(12))
    day = "\n".join([
        "## Daily Papers (2024-08-15)", "",
        "### [Seeing and Understanding: Bridging Vision with Chemical Knowledge](https://arxiv.org/abs/2408.07246)",
        "", "Vote: 14", "", f"Authors: {authors}", "",
        "- **What's New**: 화학 분야에서 [새로운 모델](https://example.org/m)인 ChemVLM이 제안되었습니다.",
        "- **Technical Details**: 다음과 같습니다:",
        "  1. **ViT**: 이미지 특징 ![그림](https://example.org/a.png) 추출기.",
        "  2. <b>MLP</b> 정렬.",
        "", "### [Generative Photomontage](https://arxiv.org/abs/2408.08332)", "", "Vote: 10", "",
        "Authors: Sean J. Liu", "", "- **What's New**: 사진 몽타주를 만듭니다.",
        "", "### [InfinityMATH: A Scalable Instruction Tuning Dataset](https://arxiv.org/abs/2408.07089)", "",
        "Vote: 7", "", "Authors: Bo-Wen Zhang", "", "- **What's New**: 수학 데이터셋입니다.", "",
    ])
    older = "\n".join([
        "## Daily Papers (2024-08-07)", "", "### [Aquila2 Technical Report](https://arxiv.org/abs/2408.07410)",
        "", "Vote: 5", "", "Authors: Bo-Wen Zhang", "", "- **What's New**: 기술 보고서입니다.", "",
    ])
    (tmp_path / "2024-08-15.md").write_text(day, encoding="utf-8")
    (tmp_path / "2024-08-07.md").write_text(older, encoding="utf-8")
    library = Library.open([tmp_path])
    library.load_all()
    state = StateStore.in_memory()
    state.set_read("2408.08332", True)
    state.set_starred("2408.07089", True)
    state.set_read("2408.07410", True)
    return make_app(library, state, system=FakeSystem(), config=Config(read_delay=60))


def _unreadable(app, region: Region | None = None) -> list[str]:
    """Every run of text on the screen (or in region) below 4.5:1: 'text' ratio fg on bg, at (x, y)."""
    ansi = app.current_theme.ansi
    to_truecolor = ANSIToTruecolor(app.ansi_theme)
    found: dict[tuple, str] = {}
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        if ansi:  # the terminal's palette, as Textual assumes it (native ANSI is passed on as it is)
            strip = strip.apply_filter(to_truecolor, Color(0, 0, 0))
        x = 0
        for segment in strip:
            text = "".join(c for c in segment.text if _is_text(c))
            inside = region is None or region.contains(x, y)
            x += segment.cell_length
            if not text or not inside:
                continue
            style = segment.style
            assert style is not None and style.color is not None and style.bgcolor is not None, (text, y)
            fg, bg = style.color.get_truecolor(), style.bgcolor.get_truecolor(foreground=False)
            if style.dim:  # what Textual makes of dim (textual.filter.DimFilter): halfway to the background
                fg = tuple(int(b + (f - b) * 0.5) for f, b in zip(fg, bg))
            ratio = _contrast(tuple(fg), tuple(bg))
            if ratio < AA:
                key = (text, style.color.name, style.bgcolor.name)
                found.setdefault(key, f"{text[:24]!r} {ratio:.2f}:1 ({style.color.name} on {style.bgcolor.name}) "
                                      f"at ({x - segment.cell_length}, {y})")
    return list(found.values())


def _offered(app) -> list[str]:
    """The themes the command palette offers (Textual's ThemeProvider lists the app's available themes)."""
    return sorted(app.available_themes)


async def test_the_palette_offers_the_themes_measured_here(tmp_path):
    app = _digest(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        provider = ThemeProvider(app.screen)
        assert sorted(name for name, _ in provider.commands) == _offered(app)
        assert "textual-light" in _offered(app) and len(_offered(app)) >= 20


async def test_every_theme_keeps_the_main_screen_readable(tmp_path):
    app = _digest(tmp_path)
    problems: dict[str, list[str]] = {}
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await pilot.pause()
        shown = "".join(strip.text for strip in app.screen._compositor.render_strips())
        for text in ("● ", "★", "What's New", "2408.07246", "(a: all authors)", "✓", "1. ", "[image: 그림]"):
            assert text in shown  # what is measured is on the screen
        def screen_text() -> str:
            return "".join(strip.text for strip in app.screen._compositor.render_strips())

        for name in _offered(app):  # (one theme change each: a change restyles every widget, the costly part)
            app.theme = name
            await pilot.pause()
            assert "A notice the reader gives" not in screen_text()
            for focus in ("#papers", "#days", "#detail"):  # each list with the focus, and without it
                app.query_one(focus).focus()
                await pilot.pause()
                unreadable = _unreadable(app)
                if unreadable:
                    problems[f"{name}, {focus} focused"] = unreadable
            # Notices, over the screen.
            app.notify("A notice the reader gives", title="Citation", severity="warning", timeout=600)
            app.notify("Another notice", timeout=600)
            app.notify("Something failed", title="Error", severity="error", timeout=600)
            await pilot.pause()
            assert "A notice the reader gives" in screen_text()
            unreadable = _unreadable(app)
            if unreadable:
                problems[f"{name}, with notices"] = unreadable
            app.clear_notifications()
            await pilot.pause()
    assert not problems, "\n".join(f"{theme}: {line}" for theme, lines in problems.items() for line in lines)


@pytest.mark.parametrize("keys, box", [
    (["question_mark"], "#help-box"),
    (["slash", "c", "h", "e", "m"], "#search-box"),
    (["C"], "#cite-box"),
])
async def test_every_theme_keeps_the_boxes_over_the_panes_readable(tmp_path, keys, box):
    app = _digest(tmp_path)
    problems: dict[str, list[str]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        for name in _offered(app):
            app.theme = name
            await pilot.pause()
            unreadable = _unreadable(app, app.screen.query_one(box).region)
            if unreadable:
                problems[name] = unreadable
    assert not problems, "\n".join(f"{theme}: {line}" for theme, lines in problems.items() for line in lines)


async def test_the_summary_follows_a_theme_change(tmp_path):
    """The summary's headings and links take the new theme's colours at once (they were kept in the old
    theme's until the cursor moved)."""
    app = _digest(tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        app.theme = "textual-dark"
        await pilot.pause()
        app.theme = "textual-light"
        await pilot.pause()
        accent = app.theme_variables["reader-accent"]
        heading = next(segment for strip in app.screen._compositor.render_strips() for segment in strip
                       if "What's New" in segment.text)
        assert heading.style.color.name.lower() == accent.lower()


async def test_a_theme_whose_colours_cannot_be_read_keeps_its_own(tmp_path):
    """A theme of someone's own with a colour the reader cannot work with (an ANSI colour at 50% in a
    true-colour theme): the reader still starts and uses the theme's colours as they are."""
    from textual.theme import Theme

    app = _digest(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        app.register_theme(Theme(name="odd", primary="#336699", foreground="#dddddd", background="#111111",
                                 variables={"text-muted": "ansi_default 50%"}))
        app.theme = "odd"
        await pilot.pause()
        assert app.theme_variables["reader-accent"] == app.theme_variables["accent"]
        assert app.theme_variables["reader-muted"] == app.theme_variables["foreground"]
        assert "What's New" in "".join(strip.text for strip in app.screen._compositor.render_strips())
