"""Migrations of the development identity provider."""
