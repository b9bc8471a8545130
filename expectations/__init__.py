"""The Great Expectations suites of the landing contract, one JSON file per table (``fundwatch expectations``
regenerates them from ``jobs/ingest/contract.py``). A package so that an installed wheel carries them."""
