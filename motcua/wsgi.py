"""WSGI entry point (gunicorn motcua.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
application = get_wsgi_application()

from motcua.warmup import keep_for_life  # noqa: E402 — needs the app registry loaded just above

keep_for_life()  # what the import loaded lives as long as the process: no collection walks it again
