"""The portal's URLs: sign-in, the admin, health, and each app's pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from congdan import views as citizen_views
from hoso.views import lookup
from hoso.views import surveys as survey_views
from kyso import views as signature_views
from tructuyen import api as online_api
from vanhanh.metrics import metrics_view

from . import views

admin.site.site_header = "Một cửa – Quản trị"
admin.site.site_title = "Một cửa"
admin.site.index_title = "Quản trị hệ thống"

handler403 = "motcua.views.permission_denied"

urlpatterns = [
    path("", views.index, name="index"),
    path("lam-viec/", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("dang-xuat/", views.StaffLogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("thu-tuc/", include("thutuc.urls")),
    path("ho-so/", include("hoso.urls")),
    path("tra-cuu/", lookup.lookup_form, name="lookup_form"),
    # <path:…>: a code imported from an old system may hold "/" (HS/2026/0099), sent as %2F.
    path("tra-cuu/<path:code>/", lookup.lookup, name="lookup"),
    path("api/v1/tra-cuu/<path:code>/", lookup.lookup_json, name="lookup_json"),
    path("api/v1/online-dossiers/", online_api.online_dossiers, name="online_dossiers_api"),
    path("truc-tuyen/", include("tructuyen.urls")),
    path("danh-gia/<str:token>/", survey_views.public_survey, name="survey_public"),
    path("bao-cao/", include("baocao.urls")),
    path("lien-thong/", include("lienthong.urls")),
    path("cong-dan/", include("congdan.urls")),
    path("ho-so-cua-toi/", citizen_views.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/<int:pk>/bo-sung/", citizen_views.supplement, name="my_dossier_supplement"),
    path("ho-so-cua-toi/<int:pk>/giay-tiep-nhan.pdf", citizen_views.receipt, name="my_dossier_receipt"),
    path("nop-ho-so/", include("congdan.submit_urls")),
    path("thanh-toan/", include("thanhtoan.urls")),
    path("", include("phananh.urls")),
    path("xac-thuc/", signature_views.verify_page, name="verify_document"),
    path("ky-so/", include("kyso.urls")),
    path("quan-tri/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("favicon.ico", views.favicon),
]
