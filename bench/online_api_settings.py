"""Settings of bench_online_api's gunicorn: the portal's own, with the URL conf of online_api_site.

That URL conf is the portal's plus one bench-only path (the baseline of the same run); nothing else
changes, so middleware, database, cache and storage are what production runs.
"""

from motcua.settings import *  # noqa: F403 — the portal's settings, unchanged but for the line below

ROOT_URLCONF = "online_api_site"
