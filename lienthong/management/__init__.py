"""Management commands of the national link app."""
