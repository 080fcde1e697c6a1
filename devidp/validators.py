"""The OAuth2/OIDC validator of the development provider: `sub` is the TechID, plus the citizen's claims."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from .models import DemoCitizen

# Which scope releases which claim (claims of other scopes are left out of the tokens).
CLAIM_SCOPES = {
    "sub": "openid",
    "TechID": "openid",
    "LoaiTaiKhoan": "openid",
    "SoDinhDanh": "profile",
    "HoVaTen": "profile",
    "NgayThangNamSinh": "profile",
    "loAs": "openid",
    "IAL": "openid",
    "name": "profile",
    "birthdate": "profile",
    "email": "email",
    "phone_number": "phone",
    "address": "address",
}


class CitizenClaimsValidator(OAuth2Validator):
    oidc_claim_scope = CLAIM_SCOPES

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        citizen = DemoCitizen.objects.filter(user=request.user).first()
        if citizen is None:
            return {}
        claims = citizen.claims()
        claims["sub"] = citizen.tech_id  # a stable subject, not the provider's row number
        claims["acr"] = f"loa{citizen.level}"
        return claims
