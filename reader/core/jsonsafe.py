"""JSON from anywhere (a file, a server) read so that nothing it holds can raise anything but JSONError.

json.loads raises ValueError for bad text, but RecursionError for nesting a few thousand levels deep, and
UnicodeDecodeError for bad bytes; a caller that catches ValueError alone lets those through as an
"internal error". Here every one of them is the same JSONError, whose message is one short line.
"""

from __future__ import annotations

import json
from typing import Any


class JSONError(ValueError):
    pass


def loads(data: str | bytes | bytearray) -> Any:
    try:
        if isinstance(data, (bytes, bytearray)):
            data = bytes(data).decode("utf-8-sig")
        return json.loads(data)
    except RecursionError:
        raise JSONError("nested too deeply") from None
    except UnicodeDecodeError:
        raise JSONError("not UTF-8 text") from None
    except (ValueError, TypeError, MemoryError) as exc:
        raise JSONError(str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__) from None
