"""Migrations of the citizen app."""
