"""An S3-compatible object store for the tests: moto's server on a free loopback port, nothing beyond.

`s3_server` (session): the server, started once. `s3` (per test): a new empty bucket of its own,
with STORAGES["default"] built from MOTCUA_S3_* exactly as the portal builds it from the environment
(motcua.filestorage), and a boto3 client to look inside the bucket.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from motcua.filestorage import default_storage

KEY_ID = "motcua-test"
SECRET = "motcua-test-secret"
REGION = "ap-southeast-1"


@dataclass(frozen=True)
class Bucket:
    name: str
    client: Any  # boto3's S3 client

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return [item["Key"] for item in listing.get("Contents", [])]

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_server, settings, tmp_path) -> Bucket:
    """A fresh private bucket as the default storage; MEDIA_ROOT points at an empty folder that must stay so."""
    name = f"motcua-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.MEDIA_ROOT = tmp_path / "media-unused"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": default_storage(
            {
                "MOTCUA_S3_BUCKET": name,
                "MOTCUA_S3_ENDPOINT_URL": s3_server,
                "MOTCUA_S3_REGION": REGION,
                "MOTCUA_S3_ACCESS_KEY_ID": KEY_ID,
                "MOTCUA_S3_SECRET_ACCESS_KEY": SECRET,
                "MOTCUA_S3_SSE": "AES256",
            }
        ),
    }
    return Bucket(name=name, client=client)
