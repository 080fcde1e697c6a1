"""URLs of the fees app, under /thanh-toan/."""

from django.urls import path

from . import reports, views

app_name = "thanhtoan"

urlpatterns = [
    path("thong-bao/", views.callback, name="callback"),
    path("ket-qua/<str:reference>/", views.returned, name="returned"),
    path("ho-so-cua-toi/<int:pk>/", views.pay_dossier, name="pay_dossier"),
    path("ban-nhap/<int:pk>/", views.pay_draft, name="pay_draft"),
    path("ho-so/<int:pk>/thu-tai-quay/", views.counter_payment, name="counter"),
    path("ho-so/<int:pk>/mien/", views.exemption, name="exemption"),
    path("doi-soat/", reports.differences_page, name="differences"),
    path("doi-soat/bang-thu.xlsx", reports.collections_xlsx, name="collections_xlsx"),
]
