"""Management commands of the fees app."""
