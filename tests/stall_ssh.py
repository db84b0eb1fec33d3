"""A stand-in for ssh (GIT_SSH_COMMAND) that stalls a fetch half way, for the sync tests: it runs the git
command it is given here, passes its answer on until the pack starts, then passes nothing more (a connection
gone quiet), touches $STALL_MARKER and waits to be killed with the fetch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def main() -> None:
    marker = os.environ["STALL_MARKER"]
    child = subprocess.Popen(["sh", "-c", sys.argv[-1]], stdout=subprocess.PIPE)
    while data := os.read(child.stdout.fileno(), 65536):
        at = data.find(b"PACK")
        if at >= 0:
            os.write(1, data[: at + 4])
            open(marker, "w").close()
            while True:
                signal.pause()
        os.write(1, data)


if __name__ == "__main__":
    main()
