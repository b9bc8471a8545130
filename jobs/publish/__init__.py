"""Publish: gold/entity_scores → gold/clues (线索清单) and what regions open.

``clues`` picks each region's clues (the stage: ``run``) and writes them to the lake and the week's exports;
``exports`` writes files safely (CSV, XLSX, the week staged then published), ``privacy`` masks IDs and names,
``report`` writes the weekly report pages, ``data_quality`` the data-quality page, ``deliver`` the outbox.
"""

from jobs.publish.clues import CLUE_SCHEMA, run

__all__ = ["CLUE_SCHEMA", "run"]
