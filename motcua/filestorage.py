"""Where uploaded files (a dossier's papers, a citizen's draft files, results) are stored, from the environment.

Without MOTCUA_S3_BUCKET: the file system under MEDIA_ROOT, as on a laptop. With it: an S3-compatible
object store through django-storages (AWS S3, MinIO, Ceph, a cloud provider's object storage). Either
way the files are private: the portal never hands out a bucket URL; its views check access and then
stream the file from storage (``storage.open``) through Django.

The bucket side of the choice:

* ``default_acl`` None: no ACL is sent, the object takes the bucket's (private) default; buckets with
  ACLs disabled refuse any other ACL. Keep the bucket's public access blocked.
* ``querystring_auth`` on with a short expiry: should anything ever ask for ``url()``, it gets a signed
  link valid for five minutes, never a public one.
* ``file_overwrite`` off: a name already taken gets a new suffix instead of replacing a file (the
  names are random anyway, tructuyen.models.storage_name).
* A file read back is spooled in memory up to 1 MiB, then in a temporary file, never held whole.
* Nothing of boto3 is imported unless the bucket is set (the settings stay quick to load).
* Server-side encryption when MOTCUA_S3_SSE is set (``AES256`` or ``aws:kms`` with
  MOTCUA_S3_SSE_KMS_KEY_ID).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FILE_SYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"
READ_SPOOL_BYTES = 1024 * 1024
SIGNED_URL_SECONDS = 300


def _get(environ: Mapping[str, str], name: str) -> str:
    return environ.get(name, "").strip()


def object_parameters(environ: Mapping[str, str]) -> dict[str, str]:
    """Extra arguments of every object written: server-side encryption when asked for."""
    parameters: dict[str, str] = {}
    encryption = _get(environ, "MOTCUA_S3_SSE")
    if encryption:
        parameters["ServerSideEncryption"] = encryption
        key_id = _get(environ, "MOTCUA_S3_SSE_KMS_KEY_ID")
        if key_id:
            parameters["SSEKMSKeyId"] = key_id
    return parameters


def s3_options(environ: Mapping[str, str]) -> dict[str, Any]:
    """The S3Storage options read from MOTCUA_S3_* (the bucket must be set)."""
    endpoint = _get(environ, "MOTCUA_S3_ENDPOINT_URL") or None
    # A store at its own address (MinIO, a provider's endpoint) is usually reached by path.
    addressing = _get(environ, "MOTCUA_S3_ADDRESSING_STYLE") or ("path" if endpoint else None)
    return {
        "bucket_name": _get(environ, "MOTCUA_S3_BUCKET"),
        "endpoint_url": endpoint,
        "region_name": _get(environ, "MOTCUA_S3_REGION") or None,
        # Empty: boto3's own chain (AWS_* variables, an instance role).
        "access_key": _get(environ, "MOTCUA_S3_ACCESS_KEY_ID") or None,
        "secret_key": _get(environ, "MOTCUA_S3_SECRET_ACCESS_KEY") or None,
        "location": _get(environ, "MOTCUA_S3_PREFIX").strip("/"),
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": SIGNED_URL_SECONDS,
        "file_overwrite": False,
        "object_parameters": object_parameters(environ),
        "max_memory_size": READ_SPOOL_BYTES,
        "addressing_style": addressing,
        "signature_version": "s3v4",
    }


def default_storage(environ: Mapping[str, str]) -> dict[str, Any]:
    """The STORAGES["default"] entry: S3-compatible when MOTCUA_S3_BUCKET is set, else the file system."""
    if not _get(environ, "MOTCUA_S3_BUCKET"):
        return {"BACKEND": FILE_SYSTEM}
    return {"BACKEND": S3, "OPTIONS": s3_options(environ)}
