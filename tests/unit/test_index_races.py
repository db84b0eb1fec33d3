"""Two libraries writing one file's rows at once (two processes on one index: the reader's worker and a
command, say): what one read before the file changed is never written over what the other read after."""

from __future__ import annotations

from pathlib import Path

from digest_factory import write_day
from reader.core.index import open_indexed, update


def test_a_file_read_before_it_changed_is_not_written_over_its_newer_rows(tmp_path, monkeypatch):
    root, folder = tmp_path / "lib", tmp_path / "index"
    path = write_day(root, "2024-07-01", ["2407.00001"], title="First")
    built = open_indexed([root], folder)
    built.load_all()
    built.close()
    path.write_text(path.read_text(encoding="utf-8").replace("First", "Second version"), encoding="utf-8")
    newer: list = []
    real = update._read

    def read_then_changed(file: str, *args):
        read = real(file, *args)  # (this library read the second version)
        if not newer:
            # ... and before it writes, the file changes again, and another library reads and writes that.
            Path(file).write_text(Path(file).read_text(encoding="utf-8").replace("Second version", "Third"),
                                  encoding="utf-8")
            monkeypatch.setattr(update, "_read", real)
            other = open_indexed([root], folder)
            other.load_all()
            newer.append(other)
            assert [p.title for p in other.search("third")] == ["Third 2407.00001: a study"]
        return read

    monkeypatch.setattr(update, "_read", read_then_changed)
    late = open_indexed([root], folder)
    late.load_all()  # (its write comes last)
    [other] = newer
    # The other library checked its files before that write and asks the index since: it still finds the
    # file as it is, not the version read before it changed.
    assert [p.title for p in other.search("third")] == ["Third 2407.00001: a study"]
    assert other.search("second") == []
    assert [p.title for p in late.search("third")] == ["Third 2407.00001: a study"]  # (the rows stored stayed)
    other.close()
    late.close()
    again = open_indexed([root], folder)
    again.load_all()
    assert [p.title for p in again.search("2407.00001")] == ["Third 2407.00001: a study"]
    again.close()
