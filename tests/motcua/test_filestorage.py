"""STORAGES["default"] from the environment: the file system without MOTCUA_S3_BUCKET, a private S3 bucket with it."""

from __future__ import annotations

from motcua.filestorage import FILE_SYSTEM, S3, default_storage


def test_without_a_bucket_files_stay_on_the_file_system():
    assert default_storage({}) == {"BACKEND": FILE_SYSTEM}
    assert default_storage({"MOTCUA_S3_BUCKET": "  ", "MOTCUA_S3_ENDPOINT_URL": "http://minio:9000"}) == {
        "BACKEND": FILE_SYSTEM
    }


def test_a_bucket_is_private_signed_and_never_overwritten():
    config = default_storage({"MOTCUA_S3_BUCKET": "motcua-hoso", "MOTCUA_S3_REGION": "ap-southeast-1"})
    options = config["OPTIONS"]
    assert config["BACKEND"] == S3
    assert (options["bucket_name"], options["region_name"], options["endpoint_url"]) == (
        "motcua-hoso",
        "ap-southeast-1",
        None,
    )
    assert options["default_acl"] is None and options["querystring_auth"] and not options["file_overwrite"]
    assert options["access_key"] is None and options["secret_key"] is None  # boto3's own chain
    assert options["object_parameters"] == {}
    assert options["addressing_style"] is None  # botocore chooses
    assert options["signature_version"] == "s3v4"


def test_an_endpoint_is_reached_by_path_and_encryption_is_asked_for():
    options = default_storage(
        {
            "MOTCUA_S3_BUCKET": "hoso",
            "MOTCUA_S3_ENDPOINT_URL": "https://s3.example.vn",
            "MOTCUA_S3_ACCESS_KEY_ID": "key",
            "MOTCUA_S3_SECRET_ACCESS_KEY": "secret",
            "MOTCUA_S3_PREFIX": "/motcua/",
            "MOTCUA_S3_SSE": "aws:kms",
            "MOTCUA_S3_SSE_KMS_KEY_ID": "alias/motcua",
        }
    )["OPTIONS"]
    assert (options["access_key"], options["secret_key"], options["location"]) == ("key", "secret", "motcua")
    assert options["addressing_style"] == "path"
    assert options["object_parameters"] == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/motcua"}
