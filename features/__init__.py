"""fundwatch features."""
