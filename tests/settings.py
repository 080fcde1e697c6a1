"""Settings for the test run: the portal's own, with a test-only SECRET_KEY.

The portal refuses to start with DEBUG off and no SECRET_KEY (motcua/settings.py); pytest runs with
DEBUG off, so the test run brings its own key. Subprocesses (a Celery worker) inherit it.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-never-used-outside-pytest-0123456789abcdefghij")

from motcua.settings import *  # noqa: F403

# A second connection to the same test database, named as the read replica (a mirror, as Django's
# test runner knows them), so tests/motcua/test_databases.py sees reads really go through it.
# Reads use it only where a test turns MOTCUA_READ_REPLICA on.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
MOTCUA_READ_REPLICA = False
