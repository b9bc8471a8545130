"""fundwatch models."""
