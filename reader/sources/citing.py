"""One paper's citation for the reader's `c` and `C`: what the metadata store knows at once, and arXiv's
record fetched when it is missing (one request, at most ONE_PAPER_BUDGET seconds, in the caller's worker).

known() never touches the network; fetched() makes at most one request (reader.sources.arxiv.fetch_one) and
falls back to what is known, with the reason, when arXiv cannot be reached in time.
"""

from __future__ import annotations

from typing import NamedTuple

from reader.core.cite import UNVERIFIED, Citable, citable
from reader.core.model import Paper


class Cited(NamedTuple):
    citable: Citable
    missing: bool  # arXiv's record is missing (or due again): fetched() would ask arXiv
    warning: str | None  # what to tell the user: the authors' order is unverified (and why), or None


def _warning(cited: Citable, why: str | None = None) -> str | None:
    if cited.verified:
        return None
    reason = f" ({why})" if why else ""
    incomplete = "; names are missing from the list" if not cited.complete else ""
    return f"{cited.arxiv_id}: {UNVERIFIED}{reason}{incomplete}"


def known(paper: Paper, store) -> Cited:
    """The citation from the store's records alone."""
    from reader.sources.arxiv import due

    hf = store.paper(paper.arxiv_id)
    entry = store.arxiv(paper.arxiv_id)
    cited = citable(paper, hf, entry.record if entry is not None else None)
    return Cited(cited, bool(due(store, [paper.arxiv_id])), _warning(cited))


def fetched(paper: Paper, store, *, http=None, budget: float | None = None,
            endpoint_setting: str | None = None) -> Cited:
    """The citation after asking arXiv for its record (one request; see the module)."""
    from reader.sources.arxiv import ONE_PAPER_BUDGET, fetch_one

    answer = fetch_one(store, paper.arxiv_id, http=http, budget=ONE_PAPER_BUDGET if budget is None else budget,
                       endpoint_setting=endpoint_setting)
    cited = citable(paper, store.paper(paper.arxiv_id), answer.record)
    return Cited(cited, False, _warning(cited, answer.problem))
