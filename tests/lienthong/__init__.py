"""Tests of the national link (lienthong)."""
