"""Migrations of the national link app."""
