"""Parsed digests on disk, so that a second start parses no digest it has parsed before.

`ParseCache.read(path)` is a drop-in reader for `Library.open(paths, reader=cache.read)`: it returns exactly
what `read_file(path)` would, from the cache when the file's size, modification time and status change time
(nanoseconds), inode number and the parser version match what was stored, else by parsing it. (As git's
index does: a file replaced by one of the same size and modification time, by `cp -p`, `touch -r` or
unpacking an archive, has a new ctime, and a new inode when it is a new file; neither can be set back.) `save()` writes what changed; call it when loading
is done (from any thread). The cache only ever makes things faster: anything unexpected in it (a corrupt or
foreign file, an entry of the wrong shape, a cache folder that cannot be written) makes it parse instead,
never fail.

The file (`parsed.jsonl` in the user cache folder) is JSON Lines, never pickle, so an upgrade can read it or
cleanly ignore it:

    {"format": "daily-papers/parse-cache", "version": 1, "parser": PARSER_VERSION}
    KEY<TAB>ENTRY
    ...

KEY is the JSON list [absolute path, size, mtime_ns, checked_ns, blake2b-128 hex of the bytes, ctime_ns,
inode] (a key of the first five only, as the first caches wrote, is dropped: it cannot tell); ENTRY is the
JSON object {"papers": [[arxiv_id, title, url, pdf_url, thumbnail, votes, [authors], date,
[[section name, markdown], ...], line], ...], "warnings": [[line, message], ...]}. JSON never holds a raw tab
or newline, so a line splits at its first tab. Opening the cache decodes only the keys; an entry's papers are
decoded when that file is read (the first screen needs one file, not the whole archive).

A file changed within RACY_NS of being parsed might change again without its size or times moving (coarse
file-system clocks); such entries are checked against the content hash before they are trusted (the same
rule as git's "racily clean" index entries).

The cache file itself is read only when it is a regular file of at most MAX_CACHE_BYTES: a FIFO, a device
(a link to /dev/null, say) or a huge file there means running without the cache, and it is never written.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from reader.core import parse
from reader.core.atomic import write_bytes_atomic
from reader.core.files import FileRefused, load_json, read_regular
from reader.core.limits import MAX_CACHE_BYTES, MAX_DIGEST_BYTES, RACY_NS  # noqa: F401 (RACY_NS: ours too)
from reader.core.model import Paper, Section
from reader.core.parse import ParsedFile, ParseWarning, read_file

FORMAT = "daily-papers/parse-cache"
FORMAT_VERSION = 1
CACHE_NAME = "parsed.jsonl"


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _header() -> bytes:
    return json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "parser": parse.PARSER_VERSION}).encode()


@dataclass(slots=True)
class _Entry:
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    checked_ns: int  # when the content was last known to match `digest`
    digest: str
    raw: bytes | memoryview | None = None  # ENTRY as stored on disk (None until encoded)
    parsed: ParsedFile | None = None  # decoded or parsed in this process
    used: bool = False

    def changed_ns(self) -> int:
        return max(self.mtime_ns, self.ctime_ns)

    def racy(self) -> bool:
        return self.changed_ns() >= self.checked_ns - RACY_NS

    def matches(self, st: os.stat_result) -> bool:
        return (self.size == st.st_size and self.mtime_ns == st.st_mtime_ns and self.ctime_ns == st.st_ctime_ns
                and self.ino == st.st_ino)


# -- entry encoding --------------------------------------------------------------------------------------
def _encode(parsed: ParsedFile) -> bytes:
    papers = [
        [p.arxiv_id, p.title, p.url, p.pdf_url, p.thumbnail, p.votes, list(p.authors), p.date,
         [[s.name, s.markdown] for s in p.sections], p.line]
        for p in parsed.papers
    ]
    warnings = [[w.line, w.message] for w in parsed.warnings]
    return json.dumps({"papers": papers, "warnings": warnings}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _strs(items) -> bool:
    # "".join raises TypeError unless every item is a str: the fastest exact check there is.
    return type(items) is list and type("".join(items)) is str


def _decode(raw: bytes | memoryview, name: str) -> ParsedFile:
    """ENTRY -> ParsedFile; raises (ValueError, TypeError, ...) on anything not exactly of our shape."""
    data = load_json(raw)  # (decoding first, as it does, is faster than json.loads(bytes))
    papers: list[Paper] = []
    for row in data["papers"]:
        arxiv_id, title, url, pdf_url, thumbnail, votes, authors, date, sections, line = row
        if not (type(arxiv_id) is str and type(title) is str and type(url) is str and type(pdf_url) is str
                and type(date) is str and (thumbnail is None or type(thumbnail) is str)
                and (votes is None or type(votes) is int) and type(line) is int and _strs(authors)
                and type(sections) is list):
            raise ValueError("entry of the wrong shape")
        built = []
        for pair in sections:
            if type(pair) is not list:
                raise ValueError("section of the wrong shape")
            section_name, markdown = pair
            if type(section_name) is not str or type(markdown) is not str:
                raise ValueError("section of the wrong shape")
            built.append(Section(section_name, markdown))
        papers.append(Paper(arxiv_id, title, url, pdf_url, thumbnail, votes, tuple(authors), date,
                            tuple(built), name, line))
    warnings = []
    for line, message in data["warnings"]:
        if type(line) is not int or type(message) is not str:
            raise ValueError("warning of the wrong shape")
        warnings.append(ParseWarning(name, line, message))
    return ParsedFile(name, papers, warnings)


def _copy(parsed: ParsedFile) -> ParsedFile:
    # Papers are frozen and shared; the lists are the caller's to keep.
    return ParsedFile(parsed.path, list(parsed.papers), list(parsed.warnings))


class ParseCache:
    """Parsed digests keyed by path + size + mtime_ns + parser version; safe to share between threads."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self.problem: str | None = None  # why the stored cache was not used or could not be saved
        self._lock = threading.RLock()
        self._entries: dict[str, _Entry] = {}
        self._loaded = False
        self._dirty = False
        self._writable = True

    # -- loading ----------------------------------------------------------------------------------------
    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if not self._loaded:
                self._entries = self._load()
                self._loaded = True

    def _load(self) -> dict[str, _Entry]:
        try:
            data = read_regular(self.path, MAX_CACHE_BYTES, what="a parse cache")
        except FileNotFoundError:
            return {}
        except FileRefused as exc:  # a FIFO, a device, a huge file: not ours to read, nor to replace
            self.problem = f"{exc}; running without the parse cache"
            self._writable = False
            return {}
        except OSError as exc:
            self.problem = f"cannot read the parse cache: {exc.strerror or exc}"
            return {}
        entries: dict[str, _Entry] = {}
        try:
            end = data.find(b"\n")
            if end < 0 or data[:end] != _header():
                self.problem = "the parse cache is of another version or not ours; rebuilding it"
                self._dirty = True
                return {}
            view = memoryview(data)  # entries stay slices of the file until they are read: no copies
            size_all = len(data)
            pos = end + 1
            while pos < size_all:
                end = data.find(b"\n", pos)
                if end < 0:
                    end = size_all  # a last line without its newline: a truncated file
                tab = data.find(b"\t", pos, end)
                try:
                    if tab < 0:
                        raise ValueError
                    path, size, mtime_ns, checked_ns, digest, ctime_ns, ino = load_json(view[pos:tab])
                    if not (type(path) is str and type(size) is int and type(mtime_ns) is int
                            and type(ctime_ns) is int and type(ino) is int and type(checked_ns) is int
                            and type(digest) is str):
                        raise ValueError
                except (ValueError, TypeError):
                    self._dirty = True  # rewrite without the damaged line
                else:
                    entries[path] = _Entry(size, mtime_ns, ctime_ns, ino, checked_ns, digest,
                                           raw=view[tab + 1:end])
                pos = end + 1
        except Exception:  # noqa: BLE001 - a cache is never trusted and never fatal
            self.problem = "the parse cache is damaged; rebuilding it"
            self._dirty = True
            return {}
        return entries

    # -- reading ----------------------------------------------------------------------------------------
    def read(self, path: str | os.PathLike[str]) -> ParsedFile:
        """What read_file(path) gives, from the cache when it is current. Never raises."""
        name = str(path)
        key = os.path.abspath(name)
        try:
            st = os.stat(name)
        except OSError:
            return read_file(path)  # it reports why
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_DIGEST_BYTES:
            return read_file(path)  # never read a FIFO, a device or an oversized file here: it says why
        self._ensure_loaded()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry.matches(st):
            found = self._use(entry, name, key)
            if found is not None:
                self.hits += 1
                return found
        return self._parse(path, name, key, st)

    def _use(self, entry: _Entry, name: str, key: str) -> ParsedFile | None:
        if entry.racy():
            now = time.time_ns()
            try:
                same = _digest(read_regular(name, MAX_DIGEST_BYTES, what="a digest")) == entry.digest
            except OSError:
                return None
            if not same:
                return None
            if now - entry.changed_ns() > RACY_NS:
                with self._lock:
                    entry.checked_ns = now
                    self._dirty = True
        parsed = entry.parsed
        if parsed is None or parsed.path != name:
            if entry.raw is None:
                return None
            try:
                parsed = _decode(entry.raw, name)
            except Exception:  # noqa: BLE001 - not our shape: parse instead (and replace it)
                return None
        with self._lock:
            entry.parsed = parsed
            entry.used = True
        return _copy(parsed)

    def _parse(self, path, name: str, key: str, st: os.stat_result) -> ParsedFile:
        self.misses += 1
        checked = time.time_ns()
        try:
            data = read_regular(name, MAX_DIGEST_BYTES, what="a digest")
        except OSError:
            return read_file(path)
        # Stat, then the bytes, then the parse: if the file changes meanwhile, the key or the hash no longer
        # matches the file next time, and it is parsed again.
        parsed = read_file(path)
        entry = _Entry(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, checked, _digest(data),
                       parsed=parsed, used=True)
        with self._lock:
            self._entries[key] = entry
            self._dirty = True
        return _copy(parsed)

    # -- saving -----------------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self._dirty

    def save(self) -> bool:
        """Write the cache if anything changed (atomically). False if it could not be written; never raises."""
        with self._lock:
            if not self._dirty or not self._writable:
                return not self._dirty
            items = list(self._entries.items())
            self._dirty = False
        parts = [_header(), b"\n"]
        for key, entry in items:
            if not entry.used and not os.path.exists(key):
                continue  # the file is gone
            raw = entry.raw
            if raw is None:
                try:
                    raw = _encode(entry.parsed) if entry.parsed is not None else None
                except (ValueError, UnicodeEncodeError):
                    raw = None
                if raw is None:
                    continue
                entry.raw = raw
            head = json.dumps([key, entry.size, entry.mtime_ns, entry.checked_ns, entry.digest, entry.ctime_ns,
                               entry.ino], ensure_ascii=False)
            try:
                parts += [head.encode("utf-8"), b"\t", raw, b"\n"]
            except UnicodeEncodeError:  # a path that is not valid Unicode: leave it out
                continue
        try:
            write_bytes_atomic(self.path, b"".join(parts))
        except OSError as exc:
            with self._lock:
                self._writable = False
                self._dirty = True
            self.problem = f"cannot write the parse cache {self.path}: {exc.strerror or exc}; running without it"
            return False
        return True

    def release(self) -> None:
        """Drop what is held in memory (the file's bytes, decoded entries) once everything is saved: the
        next read loads the file again. The reader calls it after loading the library (tens of MB at 10x)."""
        with self._lock:
            if not self._dirty:
                self._entries = {}
                self._loaded = False

    def clear(self) -> None:
        """Forget everything (the file is rewritten, empty, on the next save)."""
        with self._lock:
            self._entries = {}
            self._loaded = True
            self._dirty = True


_shared: dict[Path, ParseCache] = {}
_shared_lock = threading.Lock()


def cache_path() -> Path:
    from reader import paths

    return paths.cache_dir() / CACHE_NAME


def shared_cache() -> ParseCache:
    """The process-wide cache in the user cache folder (one object per location, shared by every caller)."""
    path = cache_path()
    with _shared_lock:
        cache = _shared.get(path)
        if cache is None:
            cache = _shared[path] = ParseCache(path)
        return cache
