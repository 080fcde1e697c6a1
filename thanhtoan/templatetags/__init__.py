"""Template tags of the fees app."""
