"""Run a Python program and write its peak resident memory (VmHWM, kB) to a file when it exits.

    python tests/measure_peak.py OUT_FILE -m reader dates PATH
    python tests/measure_peak.py OUT_FILE tests/tui_probe.py PATH

(A child's ru_maxrss also counts the parent's memory at the fork; VmHWM belongs to the program alone.)
"""

from __future__ import annotations

import atexit
import runpy
import sys


def _report(out: str) -> None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        import resource

        peak = str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    with open(out, "w", encoding="ascii") as handle:
        handle.write(peak)


def main() -> None:
    out, rest = sys.argv[1], sys.argv[2:]
    atexit.register(_report, out)
    if rest[0] == "-m":
        sys.argv = [rest[1], *rest[2:]]
        runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = rest
        sys.path.insert(0, rest[0].rsplit("/", 1)[0] if "/" in rest[0] else ".")
        runpy.run_path(rest[0], run_name="__main__")


if __name__ == "__main__":
    main()
