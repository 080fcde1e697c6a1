"""Feedback and petitions (phản ánh, kiến nghị): received, decided, answered, published, counted (docs/petitions.md)."""
