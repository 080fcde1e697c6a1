"""Management commands of the citizen app."""
