"""Authentication: the signed-in user comes with the ward, which nearly every staff page reads."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StaffBackend(ModelBackend):
    """Django's username/password backend; `get_user` joins the user's agency in the same query."""

    def get_user(self, user_id: Any) -> Any:
        user = get_user_model()._default_manager.select_related("agency").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
