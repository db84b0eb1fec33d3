"""The user's settings: config.json in the config directory. A missing or broken file means defaults.

Every setting is checked when the file is read: a value that is not valid costs that value only (its default
is used) and one notice naming config.json and the setting (Config.problems: the reader shows them as it
starts, the commands that read the file print them on stderr).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

DEFAULT_CITATION_FORMAT = "bibtex"
DEFAULT_READ_DELAY = 1.5
# The paper list's share (percent) of the width beside the day list; the summary takes the rest, up to a
# comfortable measure (styles/reader.tcss).
DEFAULT_LIST_WIDTH = 57
LIST_WIDTH_RANGE = (30, 80)

# The settings config.json may hold, in the order README lists them.
SETTINGS: tuple[str, ...] = ("keymap", "citation_format", "read_delay", "theme", "list_width", "auto_sync",
                             "hf_endpoint", "hf_requests_per_5min", "sync_source", "arxiv_api", "browser",
                             "summarizer")
DEFAULT_HF_REQUESTS_PER_5MIN = 450  # under the Hub's anonymous limit (500 per 5 minutes)
# The citation formats (reader.core.cite.FORMATS: tests/tui/test_config.py checks they are the same; cite is
# not imported here, the reader's start does without it).
CITATION_FORMATS: tuple[str, ...] = ("bibtex", "apa", "markdown", "arxiv", "ris")
# The themes Textual ships (textual.theme.BUILTIN_THEMES; tests/tui/test_config.py checks they are the same:
# core never imports Textual).
THEMES: tuple[str, ...] = (
    "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe", "catppuccin-latte",
    "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki", "gruvbox", "monokai", "nord", "rose-pine",
    "rose-pine-dawn", "rose-pine-moon", "solarized-dark", "solarized-light", "textual-dark", "textual-light",
    "tokyo-night",
)
# Every binding id of the reader: where it acts and its default keys (tests/tui/test_config.py checks this
# against the bindings of the app, its widgets and its screens). "app" keys act everywhere; "day", "list"
# and "detail" are the panes of the main screen, where they take precedence over the app's keys; "cite",
# "help", "search", "empty", "links" and "scores" (m, For you) are screens of their own.
BINDINGS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "quit": ("app", "q"), "help": ("app", "question_mark"), "search": ("app", "slash"),
    "older_day": ("app", "left_square_bracket"), "newer_day": ("app", "right_square_bracket"),
    "star": ("app", "s"), "read": ("app", "r"), "open_arxiv": ("app", "o"), "open_pdf": ("app", "p"),
    "copy_citation": ("app", "c"), "choose_citation": ("app", "C"), "open_hf": ("app", "h"),
    "copy_link": ("app", "y"), "unread_only": ("app", "u"), "all_authors": ("app", "a"),
    "next_unread": ("app", "n"), "previous_unread": ("app", "N"), "mark_day_read": ("app", "A"),
    "undo": ("app", "z"), "reload": ("app", "R"), "toggle_sidebar": ("app", "b"), "back": ("app", "escape"),
    "sync_now": ("app", "S"), "summarize": ("app", "K"), "links": ("app", "l"), "note": ("app", "e"),
    "mark_until_read": ("app", "M"), "similar": ("app", "m"),
    "day.down": ("day", "j"), "day.up": ("day", "k"), "day.first": ("day", "g"), "day.last": ("day", "G"),
    "list.down": ("list", "j"), "list.up": ("list", "k"), "list.first": ("list", "g"), "list.last": ("list", "G"),
    "detail.down": ("detail", "j"), "detail.up": ("detail", "k"), "detail.top": ("detail", "g"),
    "detail.bottom": ("detail", "G"), "detail.page_down": ("detail", "space"),
    "cite.cancel": ("cite", "escape,q"), "cite.down": ("cite", "j"), "cite.up": ("cite", "k"),
    "help.close": ("help", "escape,q,question_mark"), "help.down": ("help", "j,down"), "help.up": ("help", "k,up"),
    "search.cancel": ("search", "escape"), "search.next": ("search", "down"), "search.previous": ("search", "up"),
    "search.next_alt": ("search", "ctrl+n"), "search.previous_alt": ("search", "ctrl+p"),
    "search.page_down": ("search", "pagedown"), "search.page_up": ("search", "pageup"),
    "search.sort": ("search", "ctrl+s"),
    "empty.quit": ("empty", "q"),
    "export.cancel": ("export", "escape"),
    "confirm.yes": ("confirm", "y,enter"), "confirm.no": ("confirm", "n,escape,q"),
    "links.cancel": ("links", "escape,q"), "links.copy": ("links", "y"), "links.down": ("links", "j"),
    "links.up": ("links", "k"),
    "scores.cancel": ("scores", "escape,q"), "scores.down": ("scores", "j"), "scores.up": ("scores", "k"),
})
_MAIN_SCREEN = frozenset({"app", "day", "list", "detail"})
# Keys that move around the reader: a binding may keep the ones it has, never take one over.
NAVIGATION_KEYS = frozenset({"j", "k", "up", "down", "left", "right", "enter", "escape", "tab", "shift+tab"})
NAVIGATION_NAMES = "j, k, the arrows, Enter, Esc, Tab"


class Config(NamedTuple):  # a tuple: a dataclass costs ~1 ms of the reader's start to define
    keymap: Mapping[str, str] = MappingProxyType({})  # binding id -> keys, e.g. {"star": "x"}
    citation_format: str = DEFAULT_CITATION_FORMAT
    theme: str | None = None
    read_delay: float = DEFAULT_READ_DELAY  # seconds a paper stays shown before it counts as read
    sync_source: str | None = None  # a git URL for "Sync archive" (default: the public archive)
    arxiv_api: str | None = None  # arXiv's query API (default: export.arxiv.org; DAILY_PAPERS_ARXIV_API wins)
    auto_sync: bool = True  # fetch the days after the library's newest from Hugging Face once the reader is up
    hf_endpoint: str | None = None  # the Hub (default huggingface.co; HF_ENDPOINT wins)
    hf_requests_per_5min: int = DEFAULT_HF_REQUESTS_PER_5MIN
    list_width: int = DEFAULT_LIST_WIDTH  # the paper list's percent of the width beside the day list
    browser: str | None = None  # a command opening a link, %u for the link (default: the system's browser)
    problems: tuple[str, ...] = ()


def _keys_ok(keys: str) -> bool:
    """Key names as Textual writes them ("x", "ctrl+y", "question_mark", "f5,j"): printable, no spaces.
    (The footer and the help screen show them: a control character there would reach the terminal.)"""
    parts = [k.strip() for k in keys.split(",")]
    return 0 < len(keys) <= 200 and all(
        (len(k) == 1 and k.isprintable() and not k.isspace()) or re.fullmatch(r"[A-Za-z0-9_]+(?:\+[A-Za-z0-9_]+)*", k)
        for k in parts)


# As textual.keys names a typed character ("?" -> "question_mark"; tests/tui/test_config.py checks it agrees).
_KEY_NAME_REPLACEMENTS = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
                          "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore"}


def key_name(key: str) -> str:
    """One key as Textual names it: "?" -> "question_mark", "/" -> "slash", "ctrl+y" as it is."""
    key = key.strip()
    if len(key) == 1 and not key.isalnum():
        try:
            name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            return key
        return _KEY_NAME_REPLACEMENTS.get(name, name)
    return key


def key_names(keys: str) -> list[str]:
    return [key_name(k) for k in keys.split(",") if k.strip()]


def load_config(path: Path) -> Config:
    from reader.core.files import FileRefused, load_json, read_regular
    from reader.core.limits import MAX_CONFIG_BYTES

    try:  # never a FIFO (it would wait for a writer), a device or a huge file
        raw = read_regular(path, MAX_CONFIG_BYTES, what="a config file")
    except FileNotFoundError:
        return Config()
    except FileRefused as exc:
        return Config(problems=(f"{exc}; using defaults",))
    except OSError as exc:
        return Config(problems=(f"cannot read {path}: {exc.strerror}",))
    try:
        data = load_json(raw, encoding="utf-8-sig")  # (a byte-order mark, as some editors write, is fine)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        return Config(problems=(f"{path} is not valid JSON ({str(exc).splitlines()[0][:80]}); using defaults",))
    return validate(data, path)


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _suggestion(word: str, choices: tuple[str, ...] | list[str]) -> str:
    import difflib  # only for a value that is wrong: the reader's start does without it

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6) if isinstance(word, str) else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def validate(data: Mapping[str, Any], path: Path) -> Config:
    """The settings in data (config.json's object): each invalid one a problem, and its default."""
    problems: list[str] = []
    for setting in data:
        if setting not in SETTINGS:
            problems.append(f"{path}: unknown setting {setting!r}{_suggestion(setting, SETTINGS)}; ignored "
                            f"(settings: {', '.join(SETTINGS)})")

    fmt = data.get("citation_format", DEFAULT_CITATION_FORMAT)
    if not isinstance(fmt, str) or fmt not in CITATION_FORMATS:
        problems.append(f"{path}: citation_format {_shown(fmt)} is not a citation format{_suggestion(fmt, CITATION_FORMATS)}"
                        f" (choose from {', '.join(CITATION_FORMATS)}); using {DEFAULT_CITATION_FORMAT}")
        fmt = DEFAULT_CITATION_FORMAT

    theme = data.get("theme")
    if theme is not None and (not isinstance(theme, str) or theme not in THEMES):
        problems.append(f"{path}: theme {_shown(theme)} is not a theme{_suggestion(theme, THEMES)} (choose from "
                        f"{', '.join(THEMES)}, or pick one with Ctrl+P > Theme); using the default")
        theme = None

    delay = data.get("read_delay", DEFAULT_READ_DELAY)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not math.isfinite(delay) or delay < 0:
        problems.append(f"{path}: read_delay {_shown(delay)} is not a number of seconds, 0 or more; "
                        f"using {DEFAULT_READ_DELAY}")
        delay = DEFAULT_READ_DELAY

    list_width = data.get("list_width", DEFAULT_LIST_WIDTH)
    low, high = LIST_WIDTH_RANGE
    if isinstance(list_width, bool) or not isinstance(list_width, (int, float)) or not math.isfinite(list_width) \
            or not low <= list_width <= high:
        problems.append(f"{path}: list_width {_shown(list_width)} is not a percentage from {low} to {high} (the paper "
                        f"list's share of the width beside the days); using {DEFAULT_LIST_WIDTH}")
        list_width = DEFAULT_LIST_WIDTH

    source = data.get("sync_source")
    if source is not None and not isinstance(source, str):
        problems.append(f"{path}: sync_source must be a git URL; using the public archive")
        source = None
    arxiv_api = data.get("arxiv_api")
    if arxiv_api is not None and not (isinstance(arxiv_api, str) and re.fullmatch(r"https?://\S+", arxiv_api)):
        problems.append(f"{path}: arxiv_api {_shown(arxiv_api)} is not an http(s) URL; using arXiv's own")
        arxiv_api = None

    browser = data.get("browser")
    if browser is not None and not _browser_ok(browser):
        problems.append(f"{path}: browser {_shown(browser)} is not a command like \"firefox %u\" (its words as a "
                        "shell splits them, %u for the link); using the system's browser")
        browser = None

    auto_sync = data.get("auto_sync", True)
    if not isinstance(auto_sync, bool):
        problems.append(f"{path}: auto_sync {_shown(auto_sync)} is not true or false; using true")
        auto_sync = True
    hf_endpoint = data.get("hf_endpoint")
    if hf_endpoint is not None and not (isinstance(hf_endpoint, str) and re.fullmatch(r"https?://\S+", hf_endpoint)):
        problems.append(f"{path}: hf_endpoint {_shown(hf_endpoint)} is not an http(s) URL; using huggingface.co")
        hf_endpoint = None
    per_5min = data.get("hf_requests_per_5min", DEFAULT_HF_REQUESTS_PER_5MIN)
    if isinstance(per_5min, bool) or not isinstance(per_5min, int) or not 1 <= per_5min <= 100_000:
        problems.append(f"{path}: hf_requests_per_5min {_shown(per_5min)} is not a whole number from 1 to 100000; "
                        f"using {DEFAULT_HF_REQUESTS_PER_5MIN}")
        per_5min = DEFAULT_HF_REQUESTS_PER_5MIN

    keymap = _valid_keymap(data.get("keymap", {}), path, problems)
    return Config(keymap=MappingProxyType(keymap), citation_format=fmt, theme=theme, read_delay=float(delay),
                  sync_source=source, arxiv_api=arxiv_api, auto_sync=auto_sync, hf_endpoint=hf_endpoint,
                  hf_requests_per_5min=per_5min, list_width=round(list_width), browser=browser,
                  problems=tuple(problems))


def _browser_ok(command: Any) -> bool:
    import shlex

    if not isinstance(command, str) or not command.strip() or len(command) > 1000 or not command.isprintable():
        return False
    try:
        return bool(shlex.split(command))
    except ValueError:  # an unclosed quote
        return False


def browser_argv(command: str, url: str) -> list[str]:
    """The browser setting as the argv to run: its words split as a shell would (never run by one), each %u
    replaced by the URL (which stays one argument whatever it holds); the URL last when there is no %u."""
    import shlex

    words = shlex.split(command)
    if not any("%u" in word for word in words):
        return [*words, url]
    return [word.replace("%u", url) for word in words]


def _valid_keymap(keymap: Any, path: Path, problems: list[str]) -> dict[str, str]:
    """The keymap entries that can be used as they are: known binding ids, key names, no key taken from a
    navigation key or from another action (each other entry: a problem, and the binding keeps its keys)."""
    if not isinstance(keymap, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()):
        problems.append(f"{path}: keymap must map binding ids to keys, like {{\"star\": \"x\"}}; ignored")
        return {}
    taken: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        where = f"{path}: keymap {binding_id!r}"
        if binding_id not in BINDINGS:
            problems.append(f"{where} is not a binding id{_suggestion(binding_id, list(BINDINGS))} ('?' in the "
                            "reader lists them); ignored")
            continue
        if not _keys_ok(keys):
            problems.append(f"{where}: {_shown(keys)} is not a list of keys like \"x\" or \"ctrl+y,f5\"; "
                            f"{binding_id} keeps {BINDINGS[binding_id][1]}")
            continue
        taken[binding_id] = keys
    # Navigation keys stay what they are: a binding may keep its own, never take one.
    for binding_id, keys in list(taken.items()):
        scope, default = BINDINGS[binding_id]
        stolen = [k for k in key_names(keys) if k in NAVIGATION_KEYS and k not in key_names(default)]
        if stolen:
            problems.append(f"{path}: keymap {binding_id!r}: {stolen[0]!r} is a navigation key "
                            f"({NAVIGATION_NAMES}); {binding_id} keeps {default}")
            del taken[binding_id]
    # A key bound to two actions that can act at the same time: the later entry of config.json gives way
    # (and if its own keys clash with an entry before it, that one too), until no key is bound twice.
    while True:
        clash = _first_clash(taken)
        if clash is None:
            break
        binding_id, key, other = clash
        problems.append(f"{path}: keymap {binding_id!r}: {key!r} is already the key of {other!r}; "
                        f"{binding_id} keeps {BINDINGS[binding_id][1]}")
        del taken[binding_id]
    return taken


def _share_keys(scope: str, other_scope: str) -> bool:
    """Whether bindings of the two scopes can act at once (and so must not share a key)."""
    if scope == other_scope:
        return True
    return scope in _MAIN_SCREEN and other_scope in _MAIN_SCREEN and "app" in (scope, other_scope)


def _first_clash(taken: Mapping[str, str]) -> tuple[str, str, str] | None:
    """(a remapped binding id, its key, the binding that has it too), the remapped one the latest in the
    keymap; None when no key is bound twice."""
    keys_of = {binding_id: key_names(taken.get(binding_id, default)) for binding_id, (_, default) in BINDINGS.items()}
    order = list(taken)
    for binding_id in reversed(order):
        scope = BINDINGS[binding_id][0]
        for other, (other_scope, _) in BINDINGS.items():
            if other == binding_id or not _share_keys(scope, other_scope):
                continue
            # Of two remapped entries, the later one gives way; one that is not remapped never does.
            if other in taken and order.index(other) > order.index(binding_id):
                continue
            common = [k for k in keys_of[binding_id] if k in keys_of[other]]
            if common:
                return binding_id, common[0], other
    return None


def save_setting(path: Path, setting: str, value: Any) -> None:
    """Set one setting in config.json: an atomic rewrite that keeps the user's other settings, and their
    order, as they are. Raises OSError (cannot read or write) or ValueError (the file is not a JSON object:
    it is left alone rather than replaced)."""
    from reader.core.atomic import write_text_atomic

    from reader.core.files import load_json, read_regular
    from reader.core.limits import MAX_CONFIG_BYTES

    try:
        raw = read_regular(path, MAX_CONFIG_BYTES, what="a config file").decode("utf-8-sig")
    except FileNotFoundError:
        raw = ""
    data: dict[str, Any] = {}
    if raw.strip():
        try:
            loaded = load_json(raw)
        except ValueError:
            loaded = None
        if not isinstance(loaded, dict):
            raise ValueError(f"{path} is not a JSON object; it was not changed")
        data = loaded
    data[setting] = value
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
