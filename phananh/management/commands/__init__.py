"""Management commands of the petitions app."""
