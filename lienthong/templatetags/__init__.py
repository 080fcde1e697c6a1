"""Template tags of the national link."""
