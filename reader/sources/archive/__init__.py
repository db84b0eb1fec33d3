"""Bring the upstream archive (a git repository with paper_logs/YYYY/MM/DD.md) into the library folder.

`sync()` is safe to call from a worker thread: it prints nothing, reports through `progress(phase, fraction)`
and returns a SyncResult, or raises SyncError with a one-line reason. It works in three steps:

1. fetch: git (a subprocess, never a prompt) fetches the source's HEAD, one commit deep, into a bare repository
   beside the library (`upstream.git` in the user data folder). The first sync fetches into a temporary
   repository and renames it into place only when the fetch succeeded; later ones fetch into it, and git moves
   its ref only on success, sending only objects it does not have. What a git killed half way left there
   (lock files, half-written packs) is removed first: the library's lock proves no sync of ours is running,
   and every git a sync starts ends before the sync lets the lock go (git's own maintenance included).
2. compare: only files named exactly paper_logs/YYYY/MM/DD.md (ASCII digits, a real date) count; anything
   else in paper_logs/ is ignored and counted (the upstream README repeats the newest day inside project
   prose and is never copied). A day over the reader's size limit is skipped with a warning naming it, its
   size known from git before anything is read. A day is copied when the library lacks it or holds different
   bytes (upstream's copy wins, and the summary names the day); nothing else in the library is touched.
3. write: each new or changed day is written beside its place (a hidden temporary in the same folder, so a
   library that is a mount point or on another disk is no different), then all are renamed into place
   together under a journal beside the library's lock: a failure before the last rename puts back every
   file it replaced, a crash is finished (or undone) by the next sync or import. A symbolic link in the
   library (a folder kept on another disk, a day linked from elsewhere) stays the same link: a day is written
   through it; a link to something missing, or something that is not a file where a day goes, is left as it
   is with a warning naming it. Counting new days and papers reads the library before and after through the
   parse cache, which leaves the cache warm for the next start.

The reading state (state.json) is never touched.

From the reader (a thread worker), then picking up the new days without a restart:

    result = sync(progress=lambda phase, fraction: app.call_from_thread(show, phase, fraction), cancel=event)
    app.call_from_thread(app.notify, result.summary())        # SyncError: str(exc) is the one line to show
    library = open_library(args.paths, load=False).load_all()  # same PATHs as at start (none: the library,
                                                               # no longer the samples); cached files are not
                                                               # parsed again, and the cache is saved
"""

from reader.core.library_lock import LOCK_NAME, lock_library
from reader.sources.archive.errors import SyncCancelled, SyncError
from reader.sources.archive.git import Progress
from reader.sources.archive.syncing import DEFAULT_SOURCE, SyncResult, sync
from reader.sources.archive.upstream import (DIGEST_FOLDER, UPSTREAM_REF, UpstreamDigests, fetch_upstream,
                                             tidy_repository, upstream_digests)

__all__ = ["DEFAULT_SOURCE", "DIGEST_FOLDER", "LOCK_NAME", "UPSTREAM_REF", "Progress", "SyncCancelled", "SyncError",
           "SyncResult", "UpstreamDigests", "fetch_upstream", "lock_library", "sync", "tidy_repository",
           "upstream_digests"]
