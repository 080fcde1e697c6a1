"""Static files as ./run and production serve them: hashed names, compressed, cached for a year."""

from __future__ import annotations

import re
import shutil

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"
YEAR = 365 * 24 * 3600
# The third-party files the pages use (with the source maps their last line names); the project's
# own static folder is collected whole.
PACKAGED = [
    "bootstrap/css/bootstrap.min.css",
    "bootstrap/css/bootstrap.min.css.map",
    "bootstrap/js/bootstrap.bundle.min.js",
    "bootstrap/js/bootstrap.bundle.min.js.map",
    "django_htmx/htmx-2.min.js",
]


@pytest.fixture
def collected(tmp_path, settings):
    """collectstatic with the production storage, over the files a page needs (fast enough for a test)."""
    packaged = tmp_path / "packaged"
    for name in PACKAGED:
        found = finders.find(name)
        assert found, name
        (packaged / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(found, packaged / name)
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATICFILES_DIRS = [settings.BASE_DIR / "static", packaged]
    settings.STATIC_ROOT = tmp_path / "root"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    call_command("collectstatic", "--noinput", verbosity=0)
    return settings.STATIC_ROOT


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)


def test_a_public_page_gets_hashed_compressed_assets_cached_for_a_year(collected):
    client = Client()  # a new handler: WhiteNoise reads the collected files at start, as in production
    page = client.get("/tra-cuu/")
    assert page.status_code == 200
    assets = _assets(page.content.decode())
    assert any("bootstrap.min." in a for a in assets) and any("motcua." in a for a in assets)
    weight = len(page.content)
    for url in assets:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", url), url  # cache-busting name
        answer = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert answer.status_code == 200, url
        assert answer["Content-Encoding"] in ("br", "gzip"), url
        max_age = int(re.search(r"max-age=(\d+)", answer["Cache-Control"]).group(1))
        assert max_age >= YEAR, (url, answer["Cache-Control"])
        body = b"".join(answer.streaming_content)
        weight += len(body)
        plain = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert plain["Content-Encoding"] == "gzip"
        plain.close()
        answer.close()
    # Bootstrap alone is 230 KB uncompressed; the whole page with its assets, compressed, is far less.
    assert weight < 100_000, weight


def test_the_pages_work_without_collectstatic():
    # The test settings (and a developer's shell) use the plain storage, served from the apps' folders.
    assert settings.STORAGES["staticfiles"]["BACKEND"] != MANIFEST
    client = Client()
    page = client.get("/tra-cuu/")
    assets = _assets(page.content.decode())
    assert assets and all(client.get(url).status_code == 200 for url in assets)
