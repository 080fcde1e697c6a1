"""The development identity provider as a Django app (its demo citizens and sign-in page)."""

from django.apps import AppConfig


class DevIdpConfig(AppConfig):
    name = "devidp"
    verbose_name = "Nhà cung cấp định danh thử nghiệm"
    default_auto_field = "django.db.models.BigAutoField"
