"""What verifiers found, read from the lake: the clues issued so far and the feedback on them.

Publish writes ``gold/clues``; ingest lands ``clue_feedback``; the score (learned rule weights), train (the
re-ranker and the champion comparison) and publish (the register) stages all read them through here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from jobs.lake import Lake
from jobs.lake.tables import CLUES, FEEDBACK
from models import lifecycle


def clue_history(lake: Lake) -> pd.DataFrame:
    """gold/clues of every week so far (small: clues per region × regions × weeks)."""
    return lake.read_arrow(CLUES).to_pandas() if lake.exists(CLUES) else pd.DataFrame()


def feedback(lake: Lake) -> pd.DataFrame | None:
    """Every clue_feedback row landed so far; None before any."""
    return lake.read_arrow(FEEDBACK).to_pandas() if lake.exists(FEEDBACK) else None


def verified_register(lake: Lake, as_of: dt.date) -> pd.DataFrame:
    """The clue register as known on ``as_of``: every clue issued so far with its verified outcome."""
    if not (lake.exists(CLUES) and lake.exists(FEEDBACK)):
        return lifecycle.register(pd.DataFrame(), None, as_of)
    return lifecycle.register(clue_history(lake), feedback(lake), as_of)


def verified_entities(lake: Lake, as_of: dt.date) -> pd.DataFrame:
    """Entity labels from the verification loop known on ``as_of`` (``lifecycle.feedback_labels``)."""
    return lifecycle.feedback_labels(verified_register(lake, as_of))
