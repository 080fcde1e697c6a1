"""Settings for the test run: the portal's own, with a test-only SECRET_KEY.

The portal refuses to start with DEBUG off and no SECRET_KEY (motcua/settings.py); pytest runs with
DEBUG off, so the test run brings its own key. Subprocesses (a Celery worker) inherit it.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-never-used-outside-pytest-0123456789abcdefghij")

from motcua.settings import *  # noqa: F403
