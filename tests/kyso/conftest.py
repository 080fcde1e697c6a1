"""The test CA and the signing settings for the signature tests."""

from .pkitools import signing, test_pki  # noqa: F401 - fixtures
