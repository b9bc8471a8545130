"""fundwatch jobs."""
