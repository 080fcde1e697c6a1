"""URLs of the citizen's sign-in (under /cong-dan/); "Hồ sơ của tôi" is mounted at /ho-so-cua-toi/ by motcua.urls."""

from django.urls import path

from . import views

app_name = "congdan"

urlpatterns = [
    path("dang-nhap/", views.sign_in, name="sign_in"),
    path("oidc/callback/", views.callback, name="callback"),
    path("dang-xuat/", views.sign_out, name="sign_out"),
]
