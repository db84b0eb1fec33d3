"""The parse cache: only ever faster, never different; hits, invalidation, corruption, never fatal."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from digest_factory import day_text, write_day
from reader.cli import main
from reader.core import cache as cache_module
from reader.core import parse
from reader.core.cache import ParseCache, cache_path, shared_cache
from reader.core.library import Library
from reader.core.parse import read_file


def full(parsed):
    """Everything a ParsedFile holds, including what Paper equality leaves out (source, line)."""
    return (parsed.path, [(p, p.source, p.line) for p in parsed.papers], list(parsed.warnings))


@pytest.fixture
def days(tmp_path) -> Path:
    root = tmp_path / "days"
    write_day(root, "2024-03-01", ["2403.00001", "2403.00002"])
    write_day(root, "2024-03-02", ["2403.00003"])
    (root / "odd.md").write_text("### [no link]\n\n### [x](https://example.org/not-arxiv)\n", encoding="utf-8")
    return root


@pytest.fixture
def counting(monkeypatch):
    """Counts the files the cache actually parses."""
    seen: list[str] = []

    def counted(path):
        seen.append(str(path))
        return read_file(path)

    monkeypatch.setattr(cache_module, "read_file", counted)
    return seen


def files_of(root: Path) -> list[Path]:
    return sorted(root.rglob("*.md"))


def filled(store: Path, root: Path) -> ParseCache:
    """A cache that has read every digest under root and saved."""
    cache = ParseCache(store)
    for f in files_of(root):
        cache.read(f)
    assert cache.save()
    return cache


def test_second_start_parses_nothing_and_gives_the_same(tmp_path, days, counting):
    store = tmp_path / "c.jsonl"
    first = ParseCache(store)
    got1 = [first.read(f) for f in files_of(days)]
    assert len(counting) == 3 and first.save()
    counting.clear()
    second = ParseCache(store)
    got2 = [second.read(f) for f in files_of(days)]
    assert counting == [] and second.hits == 3
    assert [full(a) for a in got1] == [full(b) for b in got2] == [full(read_file(f)) for f in files_of(days)]
    assert any(g.warnings for g in got2)  # warnings come back from the cache too


def test_the_file_is_versioned_json_lines(tmp_path, days):
    store = tmp_path / "c.jsonl"
    filled(store, days)
    lines = store.read_bytes().decode("utf-8").splitlines()
    assert json.loads(lines[0]) == {"format": "daily-papers/parse-cache", "version": 1,
                                    "parser": parse.PARSER_VERSION}
    key, entry = lines[1].split("\t", 1)
    assert json.loads(key)[0] == os.path.abspath(files_of(days)[0])
    assert set(json.loads(entry)) == {"papers", "warnings"}


def test_a_changed_file_is_parsed_again(tmp_path, days, counting):
    store = tmp_path / "c.jsonl"
    target = days / "2024" / "03" / "01.md"
    cache = ParseCache(store)
    cache.read(target)
    cache.save()
    target.write_text(day_text("2024-03-01", ["2403.00001", "2403.00002", "2403.00009"]), encoding="utf-8")
    counting.clear()
    again = ParseCache(store).read(target)
    assert counting == [str(target)]
    assert [p.arxiv_id for p in again.papers] == ["2403.00001", "2403.00002", "2403.00009"]


def test_same_size_same_mtime_change_right_after_parsing_is_caught(tmp_path, days, counting):
    # A coarse file-system clock can leave size and mtime unchanged: a fresh entry is checked by its hash.
    store = tmp_path / "c.jsonl"
    target = days / "2024" / "03" / "02.md"
    before = target.stat()
    cache = ParseCache(store)
    assert [p.arxiv_id for p in cache.read(target).papers] == ["2403.00003"]
    cache.save()
    target.write_text(day_text("2024-03-02", ["2403.00004"]), encoding="utf-8")  # same length
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size
    for reader in (cache, ParseCache(store)):  # in this process and in the next
        counting.clear()
        assert [p.arxiv_id for p in reader.read(target).papers] == ["2403.00004"]
        assert counting == [str(target)]


LONG_AGO = 1_600_000_000 * 10**9  # 2020: far outside the "racily clean" window


def _after_the_file_clock_moves(folder: Path, since_ns: int) -> None:
    """Wait (for an event, not a time) until the file system stamps a change later than since_ns: its clock
    may tick only every few milliseconds, and a ctime the same as before would prove nothing."""
    probe = folder / ".clock-probe"
    while True:
        probe.write_bytes(b"x")
        if probe.stat().st_ctime_ns > since_ns:
            probe.unlink()
            return


@pytest.mark.parametrize("how", ["cp -p", "touch -r", "unpacked"])
def test_a_file_replaced_with_the_same_size_and_mtime_is_parsed_again(tmp_path, days, counting, how):
    import shutil
    import tarfile

    store = tmp_path / "c.jsonl"
    target = days / "2024" / "03" / "02.md"
    os.utime(target, ns=(LONG_AGO, LONG_AGO))
    cache = ParseCache(store)
    assert [p.arxiv_id for p in cache.read(target).papers] == ["2403.00003"]
    cache.save()
    before = target.stat()
    other = tmp_path / "other" / "02.md"
    other.parent.mkdir()
    other.write_text(day_text("2024-03-02", ["2403.00004"]), encoding="utf-8")  # the same length
    os.utime(other, ns=(LONG_AGO, LONG_AGO))
    _after_the_file_clock_moves(days, before.st_ctime_ns)
    if how == "cp -p":  # what cp -p does: written into the same file (same inode), mode and times copied
        target.write_bytes(other.read_bytes())
        shutil.copystat(other, target)
    elif how == "touch -r":  # what touch -r does: the other file's times
        target.write_bytes(other.read_bytes())
        times = other.stat()
        os.utime(target, ns=(times.st_atime_ns, times.st_mtime_ns))
    else:  # an archive unpacked over the folder: a new file with the archived times
        archive = tmp_path / "days.tar"
        with tarfile.open(archive, "w") as tar:
            tar.add(other, arcname="02.md")
        with tarfile.open(archive) as tar:
            tar.extractall(target.parent, filter="tar")
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)  # what fooled it
    for reader in (cache, ParseCache(store)):  # in this process and in the next
        counting.clear()
        assert [p.arxiv_id for p in reader.read(target).papers] == ["2403.00004"]
        assert counting == [str(target)]
    shutil.rmtree(other.parent)


def test_an_unchanged_file_is_still_a_hit_with_ctime_and_inode_in_the_key(tmp_path, days, counting):
    store = tmp_path / "c.jsonl"
    for f in files_of(days):
        os.utime(f, ns=(LONG_AGO, LONG_AGO))
    filled(store, days)
    _after_the_file_clock_moves(days, max(f.stat().st_ctime_ns for f in files_of(days)))
    counting.clear()
    again = ParseCache(store)
    for f in files_of(days):
        again.read(f)
    assert counting == [] and again.hits == len(files_of(days))


def test_a_new_parser_version_parses_everything_again(tmp_path, days, counting, monkeypatch):
    store = tmp_path / "c.jsonl"
    filled(store, days)
    monkeypatch.setattr(parse, "PARSER_VERSION", parse.PARSER_VERSION + 1)
    counting.clear()
    fresh = ParseCache(store)
    for f in files_of(days):
        fresh.read(f)
    assert len(counting) == 3 and fresh.hits == 0
    fresh.save()
    assert json.loads(store.read_text(encoding="utf-8").splitlines()[0])["parser"] == parse.PARSER_VERSION


def _damage_truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _damage_types(data: bytes) -> bytes:
    header, rest = data.split(b"\n", 1)
    first, others = rest.split(b"\n", 1)
    key, entry = first.split(b"\t", 1)
    body = json.loads(entry)
    body["papers"][0][1] = 12345  # a title that is not a string
    return header + b"\n" + key + b"\t" + json.dumps(body).encode() + b"\n" + others


def _damage_section(data: bytes) -> bytes:
    header, rest = data.split(b"\n", 1)
    first, others = rest.split(b"\n", 1)
    key, entry = first.split(b"\t", 1)
    body = json.loads(entry)
    body["papers"][0][8] = ["ab"]  # a section that is a string, not [name, markdown]
    return header + b"\n" + key + b"\t" + json.dumps(body).encode() + b"\n" + others


@pytest.mark.parametrize("damage", [
    lambda data: b"\x00\xff garbage \n\t\t\n" * 50,
    lambda data: b"",
    _damage_truncate,
    _damage_types,
    _damage_section,
    lambda data: json.dumps({"format": "someone-else", "version": 1}).encode() + b"\n" + data.split(b"\n", 1)[1],
    lambda data: data.replace(b"\t", b" ", 1),
    lambda data: data.replace(b'"papers"', b'"popers"'),
    lambda data: b"\x80\x04\x95pickle?" + data,
], ids=["garbage", "empty", "truncated", "wrong-types", "wrong-section", "foreign", "no-tab", "wrong-key",
        "pickle"])
def test_a_corrupt_or_foreign_cache_is_ignored_and_rebuilt(tmp_path, days, damage):
    store = tmp_path / "c.jsonl"
    filled(store, days)
    store.write_bytes(damage(store.read_bytes()))
    damaged = ParseCache(store)
    got = [damaged.read(f) for f in files_of(days)]
    assert [full(g) for g in got] == [full(read_file(f)) for f in files_of(days)]
    assert damaged.save()
    healthy = ParseCache(store)
    assert [full(healthy.read(f)) for f in files_of(days)] == [full(g) for g in got]
    assert healthy.hits == 3


@pytest.mark.parametrize("where", ["is-a-folder", "under-a-file"])
def test_a_cache_that_cannot_be_written_is_not_fatal(tmp_path, days, where):
    if where == "is-a-folder":
        store = tmp_path / "c.jsonl"
        store.mkdir()
    else:
        (tmp_path / "plain").write_text("x")
        store = tmp_path / "plain" / "c.jsonl"
    cache = ParseCache(store)
    got = [cache.read(f) for f in files_of(days)]
    assert cache.save() is False and cache.problem
    assert [full(g) for g in got] == [full(read_file(f)) for f in files_of(days)]
    assert cache.save() is False  # and it stops trying, quietly


def test_cli_runs_when_the_cache_folder_is_unusable(capsys, user_dirs, days):
    (user_dirs["cache"] / "daily-papers").write_text("a file where the cache folder should be")
    assert main(["dates", str(days)]) == 0
    out, err = capsys.readouterr()
    assert out == "2024-03-02  1\n2024-03-01  2\n"


def test_files_that_are_gone_are_dropped_and_unreadable_ones_not_cached(tmp_path, days):
    store = tmp_path / "c.jsonl"
    cache = filled(store, days)
    (days / "odd.md").unlink()
    missing = cache.read(days / "odd.md")
    assert missing.papers == [] and "cannot read" in missing.warnings[0].message
    ParseCache(store).save()  # nothing changed: nothing written
    fresh = ParseCache(store)
    fresh.clear()  # force a rewrite holding only what still exists
    fresh.read(days / "2024" / "03" / "01.md")
    fresh.save()
    paths = [json.loads(line.split("\t")[0])[0] for line in store.read_text(encoding="utf-8").splitlines()[1:]]
    assert paths == [os.path.abspath(days / "2024" / "03" / "01.md")]


def test_same_file_by_another_name_gets_its_own_source(tmp_path, days, monkeypatch):
    store = tmp_path / "c.jsonl"
    target = days / "2024" / "03" / "01.md"
    cache = ParseCache(store)
    cache.read(target)
    cache.save()
    monkeypatch.chdir(days)
    relative = Path("2024/03/01.md")
    got = ParseCache(store).read(relative)
    assert full(got) == full(read_file(relative))
    assert got.papers[0].source == str(relative)


def test_cached_and_uncached_are_the_same_over_the_whole_archive(tmp_path, corpus):
    plain = Library.open([corpus]).load_all()
    store = tmp_path / "c.jsonl"
    Library.open([corpus], cache=ParseCache(store)).load_all()  # cold: parses and saves
    warm_cache = ParseCache(store)
    warm = Library.open([corpus], cache=warm_cache).load_all()
    assert warm_cache.misses == 0 and warm_cache.hits == len(list(corpus.rglob("*.md")))
    assert warm.dates() == plain.dates() and len(warm) == len(plain) == 3273
    for a, b in zip(plain.papers(), warm.papers(), strict=True):
        assert (a, a.source, a.line) == (b, b.source, b.line)
    assert warm.warnings == plain.warnings
    assert warm.search("diffusion") == plain.search("diffusion")
    files = sorted(corpus.rglob("*.md"))
    assert [full(warm_cache.read(f)) for f in files] == [full(read_file(f)) for f in files]


def test_one_thread_parses_while_another_reads(tmp_path, corpus):
    cache = ParseCache(tmp_path / "c.jsonl")
    files = sorted(corpus.rglob("*.md"))
    errors: list[BaseException] = []
    results: dict[str, list] = {}

    def work(name, order):
        try:
            results[name] = [full(cache.read(f)) for f in order]
            cache.save()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=("forward", files)),
               threading.Thread(target=work, args=("backward", files[::-1]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results["forward"] == results["backward"][::-1] == [full(read_file(f)) for f in files]
    again = ParseCache(tmp_path / "c.jsonl")
    assert [full(again.read(f)) for f in files] == results["forward"] and again.misses == 0


def test_the_commands_read_through_the_shared_cache_when_the_index_cannot_be_used(capsys, days, counting, user_dirs):
    # (The commands read through the library's index: tests/test_index.py. Where it cannot be made, the parse
    # cache serves as it did before the index.)
    (user_dirs["cache"] / "daily-papers").mkdir()
    (user_dirs["cache"] / "daily-papers" / "index").write_text("a file where the index folder should be")
    assert main(["dates", str(days)]) == 0
    first = capsys.readouterr().out
    assert len(counting) == 3 and cache_path().is_file()
    cache_module._shared.clear()  # as a new process would start
    counting.clear()
    assert main(["dates", str(days)]) == 0
    assert capsys.readouterr().out == first
    assert counting == []
    assert shared_cache().hits == 3


def test_library_parse_pending_saves_the_cache_from_its_thread(tmp_path, days):
    cache = ParseCache(tmp_path / "c.jsonl")
    library = Library.open([days], cache=cache)
    library.load_newest()
    assert not (tmp_path / "c.jsonl").exists()  # nothing written before the first screen
    parsed: list = []
    worker = threading.Thread(target=lambda: parsed.extend(library.parse_pending()))
    worker.start()
    worker.join()
    library.merge(parsed)
    assert (tmp_path / "c.jsonl").is_file() and not cache.dirty
    assert library.dates() == ["2024-03-02", "2024-03-01"]
