"""URLs of the development identity provider: its sign-in page and the OIDC endpoints under /o/."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.sign_in, name="index"),
    path("dang-nhap/", views.sign_in, name="sign_in"),
    path("dang-xuat/", views.sign_out, name="sign_out"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
