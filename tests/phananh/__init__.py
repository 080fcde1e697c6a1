"""Tests of the petitions app (phản ánh, kiến nghị)."""
