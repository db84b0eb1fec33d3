"""The `summarizer` setting of config.json: which OpenAI-compatible server writes the Korean summaries.

    "summarizer": {"base_url": "http://localhost:11434/v1", "model": "qwen2.5:14b"}

Keys (all optional but `model`, which summarising needs: there is no silent default):
- base_url: the server's OpenAI-compatible root (…/v1); default OPENAI_BASE_URL, else https://api.openai.com/v1
  (the OpenAI client's own order). Plain http only to loopback and private hosts, unless "allow_http": true.
- model: the model's name as the server knows it.
- api_key_env: the environment variable holding the key (default OPENAI_API_KEY). The key itself is never
  in the config: only the variable's name. No key at all is fine (local servers).
- concurrency: requests at once (default 4, 1 to 64).
- input: "abstract" (title, abstract, keywords; the default) or "fulltext" (the arXiv PDF's text, which needs
  the optional extra: pip install 'daily-papers[fulltext]').
- max_input_chars: the paper's text is cut to this many characters (default 50,000).
- prompt: a file holding your own system prompt (default: the one in the package).
- timeout: seconds to wait for one answer (default 120).
- arxiv_pdf: where PDFs come from (default DAILY_PAPERS_ARXIV_PDF, else https://arxiv.org/pdf/).

Read by read_summarizer_setting(): one setting, validated on its own, so that a mistake in it never costs the
reader its other settings. Nothing here reads the key.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

DEFAULT_BASE_URL = "https://api.openai.com/v1"
BASE_URL_ENV = "OPENAI_BASE_URL"
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
DEFAULT_ARXIV_PDF = "https://arxiv.org/pdf/"
ARXIV_PDF_ENV = "DAILY_PAPERS_ARXIV_PDF"
INPUTS = ("abstract", "fulltext")
MAX_CONCURRENCY = 64
_KEY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")  # Tailscale and other overlay networks


class SummarizerSettings(NamedTuple):
    base_url: str = DEFAULT_BASE_URL  # "" when the one given is refused (see the problems): nothing is sent
    model: str | None = None
    api_key_env: str = DEFAULT_KEY_ENV
    concurrency: int = 4
    input: str = "abstract"
    max_input_chars: int = 50_000
    prompt: str | None = None  # a file of the user's own, or None: the package's
    timeout: float = 120.0
    allow_http: bool = False
    arxiv_pdf: str = DEFAULT_ARXIV_PDF
    auto_summarize: bool = False  # the reader summarises the new days after a sync (read by the reader)


def private_host(host: str) -> bool:
    """Loopback, private, link-local and overlay addresses; localhost and names that only a local network
    resolves (one label, .local, .lan, .internal, .home.arpa). No name is looked up."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(_PRIVATE_SUFFIXES):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "." not in host and ":" not in host and bool(host)
    return address.is_loopback or address.is_private or address.is_link_local or (
        address.version == 4 and address in _CGNAT)


def check_base_url(url: str, *, allow_http: bool, where: str) -> tuple[str | None, str | None]:
    """(the URL to use, None) or (None, why not: one line)."""
    text = url.strip()
    if not text or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in text):
        return None, f"{where} must be a URL like https://api.openai.com/v1"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None, f"{where} is not a usable URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None, f"{where} must be an http(s) URL like https://api.openai.com/v1"
    if parts.username or parts.password:
        return None, (f"{where} holds a user name or password; put the key in an environment variable "
                      "(summarizer.api_key_env) instead")
    if parts.query or parts.fragment:
        return None, f"{where} must not hold a query (?...) or a fragment (#...)"
    if parts.scheme == "http" and not allow_http and not private_host(parts.hostname):
        return None, (f"{where} is plain http to {parts.hostname}, which is not a local or private host: the key "
                      "and the papers would cross the network unencrypted; use https, or set "
                      "\"allow_http\": true in the summarizer setting")
    del port
    path = parts.path.rstrip("/")
    for suffix in ("/chat/completions", "/completions"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]  # the whole endpoint pasted: its root is meant
    return f"{parts.scheme}://{parts.netloc}{path}", None


def summarizer_setting(value: Any, environ: Mapping[str, str] | None = None,
                       origin: str = "config.json") -> tuple[SummarizerSettings, list[str]]:
    """The setting's value (the JSON object under "summarizer", or None) -> (settings, problems). A value
    that is wrong is named in one line and its default used; the caller decides whether that stops it."""
    env = os.environ if environ is None else environ
    problems: list[str] = []
    data: Mapping[str, Any]
    if value is None:
        data = {}
    elif isinstance(value, dict):
        data = value
    else:
        return SummarizerSettings(), [f"{origin}: 'summarizer' must be an object like "
                                      "{\"model\": \"gpt-4o-mini\"}"]
    known = set(SummarizerSettings._fields)
    for key in data:
        if key not in known:
            problems.append(f"{origin}: summarizer.{str(key)[:40]} is not a setting (known: {', '.join(sorted(known))})")

    def text(key: str) -> str | None:
        item = data.get(key)
        if item is None:
            return None
        if not isinstance(item, str) or not item.strip() or len(item) > 2000:
            problems.append(f"{origin}: summarizer.{key} must be a non-empty string")
            return None
        return item.strip()

    flags = {}
    for name in ("allow_http", "auto_summarize"):
        flags[name] = data.get(name, False)
        if not isinstance(flags[name], bool):
            problems.append(f"{origin}: summarizer.{name} must be true or false")
            flags[name] = False
    allow_http = flags["allow_http"]

    base = text("base_url")
    where = f"{origin}: summarizer.base_url"
    if base is None and env.get(BASE_URL_ENV, "").strip():
        base, where = env[BASE_URL_ENV], BASE_URL_ENV
    base_url, why = check_base_url(base or DEFAULT_BASE_URL, allow_http=allow_http, where=where)
    if why:
        problems.append(why)
        base_url = None

    model = text("model")
    if model is not None and any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f for c in model):
        problems.append(f"{origin}: summarizer.model holds control characters")
        model = None

    key_env = text("api_key_env") or DEFAULT_KEY_ENV
    if not _KEY_NAME.fullmatch(key_env):
        problems.append(f"{origin}: summarizer.api_key_env must be the name of an environment variable "
                        "(like OPENAI_API_KEY), not the key itself")
        key_env = DEFAULT_KEY_ENV

    def number(key: str, default, low, high, kind=int):
        item = data.get(key, default)
        if isinstance(item, bool) or not isinstance(item, (int, float)) or (kind is int and item != int(item)) \
                or not low <= item <= high:
            problems.append(f"{origin}: summarizer.{key} must be a{'n integer' if kind is int else ' number'} "
                            f"from {low:,} to {high:,}; using {default:,}")
            return default
        return kind(item)

    concurrency = number("concurrency", 4, 1, MAX_CONCURRENCY)
    max_chars = number("max_input_chars", 50_000, 500, 2_000_000)
    timeout = number("timeout", 120.0, 0.1, 3600.0, float)

    source = data.get("input", "abstract")
    if source not in INPUTS:
        problems.append(f"{origin}: summarizer.input must be \"abstract\" or \"fulltext\"")
        source = "abstract"

    prompt = text("prompt")
    if prompt is not None:
        prompt = str(Path(prompt).expanduser())

    pdf = text("arxiv_pdf") or env.get(ARXIV_PDF_ENV, "").strip() or DEFAULT_ARXIV_PDF
    pdf_url, why = check_base_url(pdf, allow_http=True, where=f"{origin}: summarizer.arxiv_pdf")
    if why:
        problems.append(why)
        pdf_url = DEFAULT_ARXIV_PDF

    return SummarizerSettings(
        base_url=base_url or "", model=model, api_key_env=key_env, concurrency=concurrency,
        input=source, max_input_chars=max_chars, prompt=prompt, timeout=timeout, allow_http=allow_http,
        arxiv_pdf=(pdf_url or DEFAULT_ARXIV_PDF).rstrip("/") + "/", auto_summarize=flags["auto_summarize"],
    ), problems


def read_summarizer_setting(path: Path, environ: Mapping[str, str] | None = None
                            ) -> tuple[SummarizerSettings, list[str]]:
    """config.json's `summarizer` (a missing file or setting: the defaults and the environment)."""
    from reader.core.files import FileRefused, load_json, read_regular
    from reader.core.limits import MAX_CONFIG_BYTES

    try:  # never a FIFO, a device or a huge file (as config.json is read for the other settings)
        raw = read_regular(path, MAX_CONFIG_BYTES, what="a config file")
    except FileNotFoundError:
        return summarizer_setting(None, environ, str(path))
    except FileRefused as exc:
        settings, problems = summarizer_setting(None, environ, str(path))
        return settings, [str(exc), *problems]
    except OSError as exc:
        settings, problems = summarizer_setting(None, environ, str(path))
        return settings, [f"cannot read {path}: {exc.strerror or exc}", *problems]
    try:
        data = load_json(raw, encoding="utf-8-sig")
    except ValueError as exc:
        settings, problems = summarizer_setting(None, environ, str(path))
        return settings, [f"{path} is not valid JSON ({str(exc).splitlines()[0][:120]})", *problems]
    value = data.get("summarizer") if isinstance(data, dict) else None
    return summarizer_setting(value, environ, str(path))
