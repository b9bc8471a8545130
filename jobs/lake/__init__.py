"""The lake: Delta I/O (``delta``), the name of every table and folder (``tables``), the clue register and
verification outcomes as stages read them (``outcomes``), upkeep (``maintain``), files at rest (``files``)."""

from jobs.lake.delta import Lake, LakeError

__all__ = ["Lake", "LakeError"]
