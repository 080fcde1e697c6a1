"""Settings read from the environment: one meaning of a flag and a number for the settings module
and the database configuration (``motcua.databases``, which is given the environment as a mapping).

Unset, empty or blank is the default; a flag is on for 1, true, yes or on (any case), off otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] = os.environ) -> bool:
    value = environ.get(name, "").strip().lower()
    return value in {"1", "true", "yes", "on"} if value else default


def env_int(name: str, default: int, environ: Mapping[str, str] = os.environ) -> int:
    value = environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "", environ: Mapping[str, str] = os.environ) -> list[str]:
    return [item.strip() for item in environ.get(name, default).split(",") if item.strip()]
