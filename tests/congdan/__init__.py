"""Tests of the citizen app: sign-in with the development identity provider, linking, "Hồ sơ của tôi"."""
