"""Development identity provider: a separate small Django project (OpenID Connect by django-oauth-toolkit).

It stands in for the national digital identity (VNeID) on a laptop and in the tests, so the portal's
citizen sign-in runs the real authorization-code flow. Never part of the portal's INSTALLED_APPS; it
runs as its own process on 127.0.0.1 only (`python -m devidp serve_devidp`).
"""
