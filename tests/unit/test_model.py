"""Paper and Day are frozen value records (written out by hand, as the start-up path wants)."""

from __future__ import annotations

import pytest

from reader.core.model import Day, Paper, Section


def paper(**changes) -> Paper:
    fields = dict(arxiv_id="2401.00001", title="T", url="https://arxiv.org/abs/2401.00001",
                  pdf_url="https://arxiv.org/pdf/2401.00001", thumbnail=None, votes=3, authors=("A", "B"),
                  date="2024-01-02", sections=(Section("What's New", "요약"),), source="a.md", line=4)
    fields.update(changes)
    return Paper(**fields)


def test_a_paper_is_a_value_and_where_it_was_read_is_not_part_of_it():
    assert paper() == paper(source="elsewhere.md", line=99)
    assert hash(paper()) == hash(paper(source="elsewhere.md"))
    assert paper() != paper(votes=4) and paper() != paper(sections=())
    assert len({paper(), paper(line=7), paper(title="U")}) == 2
    assert paper() != ("2401.00001",) and "title='T'" in repr(paper()) and "line=4" in repr(paper())


def test_records_are_frozen():
    with pytest.raises(AttributeError):
        paper().votes = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del paper().title
    day = Day("2024-01-02", (paper(),))
    with pytest.raises(AttributeError):
        day.date = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        paper().anything = 1  # type: ignore[attr-defined]


def test_a_day_counts_its_papers_and_compares_by_value():
    assert len(Day("2024-01-02", (paper(), paper(arxiv_id="2401.00002")))) == 2
    assert Day("d", (paper(),)) == Day("d", (paper(line=1),)) and Day("d", ()) != Day("e", ())
    assert not Day("d", ())
    assert paper().to_dict()["sections"] == [{"name": "What's New", "markdown": "요약"}]
    assert Paper.from_dict({**paper().to_dict(), "source": "a.md", "line": 4}) == paper()
