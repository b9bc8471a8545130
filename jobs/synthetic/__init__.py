"""The synthetic prefecture (developer tooling): a normal world (``world``), fraud and its legitimate
look-alikes added to it (``fraud``), written as a landing zone that follows the contract (``prefecture``)."""

from jobs.synthetic.prefecture import GENERATOR_VERSION, MIN_PERSONS, Generator, generate, is_current
from jobs.synthetic.world import COUNTIES, PREFECTURE, GenConfig

__all__ = [
    "COUNTIES",
    "GENERATOR_VERSION",
    "MIN_PERSONS",
    "PREFECTURE",
    "GenConfig",
    "Generator",
    "generate",
    "is_current",
]
