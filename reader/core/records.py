"""NamedTuple and Protocol without importing typing: the commands' records (the library's, the parser's, the
index's, search's) are defined by `class X(NamedTuple):`, and the typing module (with contextlib) is about
6 ms of `daily-papers search`; nothing else on its way needs it. What the class statement makes is what
typing.NamedTuple makes (Python 3.11's typing.py does the same): collections.namedtuple with the annotated
fields in order, defaults from the values given, and the class's methods, docstring and qualified name; only
its __annotations__ keep the annotations as written. tests/unit/test_records.py compares the two. Protocol
is a plain base class at run time (a protocol only says what type checkers check). Type checkers see
typing's own.

Modules on a command's way write `TYPE_CHECKING = False` and `if TYPE_CHECKING:` instead of importing it from
typing (type checkers take any constant of that name as typing's).
"""

from __future__ import annotations

import collections

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple, Protocol as Protocol
else:
    # What typing.NamedTuple's class statement may not set, and what it leaves to collections.namedtuple.
    _PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
                             "_make", "_replace", "_asdict", "_source"})
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _NamedTupleMeta(type):
        def __new__(mcls, typename: str, bases: tuple, namespace: dict):
            if namespace.get("_root"):  # NamedTuple itself, below
                return super().__new__(mcls, typename, bases, namespace)
            if len(bases) != 1 or bases[0] is not NamedTuple:
                raise TypeError("can only inherit from a NamedTuple type")
            annotations = namespace.get("__annotations__", {})
            defaults = []
            for name in annotations:
                if name in namespace:
                    defaults.append(name)
                elif defaults:
                    raise TypeError(f"Non-default namedtuple field {name} cannot follow default field"
                                    f"{'s' if len(defaults) > 1 else ''} {', '.join(defaults)}")
            record = collections.namedtuple(typename, list(annotations), defaults=[namespace[n] for n in defaults],
                                            module=namespace["__module__"])
            record.__annotations__ = record.__new__.__annotations__ = dict(annotations)
            for key, value in namespace.items():
                if key in _PROHIBITED:
                    raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
                if key not in _SPECIAL and key not in record._fields:
                    setattr(record, key, value)
            return record

    class NamedTuple(metaclass=_NamedTupleMeta):
        """Base of a record class: `class Point(NamedTuple): x: int; y: int = 0` (see the module)."""

        _root = True

    class Protocol:
        """typing.Protocol at run time: a base class saying what an argument must have, for type checkers."""

        __slots__ = ()
