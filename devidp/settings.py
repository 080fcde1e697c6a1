"""Settings of the development identity provider (a separate Django project; SQLite and keys under var/devidp/).

Environment: DEVIDP_HOST (a loopback address, default 127.0.0.1), DEVIDP_PORT (default 8001),
DEVIDP_VAR_DIR (default var/devidp). The issuer is http://HOST:PORT/o.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .keys import secret_key, signing_key_pem

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DEVIDP_VAR_DIR", BASE_DIR / "var" / "devidp"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEVIDP_HOST = os.environ.get("DEVIDP_HOST", "127.0.0.1")
DEVIDP_PORT = int(os.environ.get("DEVIDP_PORT", "8001"))
if DEVIDP_HOST != "localhost" and not ipaddress.ip_address(DEVIDP_HOST).is_loopback:
    raise ImproperlyConfigured(
        f"Nhà cung cấp định danh thử nghiệm chỉ chạy trên địa chỉ loopback, không phải {DEVIDP_HOST}."
    )
_shown_host = f"[{DEVIDP_HOST}]" if ":" in DEVIDP_HOST else DEVIDP_HOST
DEVIDP_ISSUER = f"http://{_shown_host}:{DEVIDP_PORT}/o"
# The password every demo citizen signs in with (a development provider: printed by ./run).
DEVIDP_DEMO_PASSWORD = os.environ.get("DEVIDP_DEMO_PASSWORD", "vneid-demo-2026")

DEBUG = False
SECRET_KEY = secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "devidp",
]
MIDDLEWARE = [
    "devidp.middleware.loopback_only",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "devidp.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "devidp.sqlite3"),
        "OPTIONS": {"timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The portal's own session cookie is "sessionid" on the same host name: keep the two apart.
SESSION_COOKIE_NAME = "devidp_session"
CSRF_COOKIE_NAME = "devidp_csrftoken"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_URL = "/dang-nhap/"
LANGUAGE_CODE = "vi"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": DEVIDP_ISSUER,
    "OIDC_RSA_PRIVATE_KEY": signing_key_pem(VAR_DIR / "oidc_rsa.pem"),
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "devidp.validators.CitizenClaimsValidator",
    "SCOPES": {
        "openid": "Định danh OpenID Connect",
        "profile": "Họ tên, ngày sinh, số định danh cá nhân",
        "email": "Thư điện tử",
        "phone": "Số điện thoại",
        "address": "Địa chỉ",
    },
    "DEFAULT_SCOPES": ["openid"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "ID_TOKEN_EXPIRE_SECONDS": 300,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    # The portal's sign-out ends the provider's session too (id_token_hint, no question asked).
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
