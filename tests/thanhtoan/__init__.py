"""Tests of the fees app."""
