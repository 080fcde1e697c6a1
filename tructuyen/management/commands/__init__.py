"""Management commands of the online channel."""
