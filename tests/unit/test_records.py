"""reader.core.records.NamedTuple makes what typing.NamedTuple makes (without importing typing)."""

from __future__ import annotations

import pickle
import typing

import pytest

from reader.core import records


def point_class(base):
    class Point(base):
        """A point."""

        x: int
        y: int = 0
        label: str | None = None

        def norm(self) -> int:
            return abs(self.x) + abs(self.y)

        @property
        def swapped(self) -> tuple[int, int]:
            return self.y, self.x

    return Point


Point = point_class(records.NamedTuple)
Point.__qualname__ = "Point"  # (found by its name here when unpickled, as the reader's records are)
TypingPoint = point_class(typing.NamedTuple)


def test_a_record_is_typings_namedtuple_in_all_but_name():
    ours, theirs = Point(3, -4), TypingPoint(3, -4)
    assert type(ours).__mro__[1:] == type(theirs).__mro__[1:] == (tuple, object)
    assert ours == theirs == (3, -4, None) and hash(ours) == hash(theirs)
    assert Point._fields == TypingPoint._fields == ("x", "y", "label")
    assert Point._field_defaults == TypingPoint._field_defaults == {"y": 0, "label": None}
    assert repr(ours) == repr(theirs) == "Point(x=3, y=-4, label=None)"
    assert ours.norm() == theirs.norm() == 7 and ours.swapped == theirs.swapped == (-4, 3)
    assert ours._replace(y=1) == theirs._replace(y=1) and ours._asdict() == theirs._asdict()
    assert Point._make([1, 2, "a"]) == TypingPoint._make([1, 2, "a"])
    assert Point.__doc__ == TypingPoint.__doc__ == "A point."
    assert Point.__module__ == TypingPoint.__module__ == __name__
    assert TypingPoint.__qualname__ == "point_class.<locals>.Point" == point_class(records.NamedTuple).__qualname__
    assert list(Point.__annotations__) == ["x", "y", "label"]
    with pytest.raises(AttributeError):
        ours.x = 5
    with pytest.raises(TypeError):
        Point()


def test_a_record_pickles_as_a_namedtuple():
    assert pickle.loads(pickle.dumps(Point(1, 2, "p"))) == Point(1, 2, "p")


def test_what_typing_refuses_it_refuses():
    with pytest.raises(TypeError, match="Non-default namedtuple field b cannot follow default field a"):
        class Bad(records.NamedTuple):
            a: int = 0
            b: int
    with pytest.raises(AttributeError, match="Cannot overwrite NamedTuple attribute _replace"):
        class Worse(records.NamedTuple):
            a: int

            def _replace(self):
                return self

