"""URLs of the report pages (baocao.views)."""

from django.urls import path

from . import views

app_name = "baocao"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("lap-moi/", views.report_create, name="create"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/trang-thai/", views.report_status, name="status"),
    path("<int:pk>/noi-dung/", views.report_edit, name="edit"),
    path("<int:pk>/hoan-tat/", views.report_finalize, name="finalize"),
    path("<int:pk>/tong-hop-lai/", views.report_retry, name="retry"),
    path("<int:pk>/xem-truoc/", views.report_preview, name="preview"),
    path("<int:pk>/tai/<str:kind>/", views.report_file, name="file"),
    path("<int:pk>/tao-tep-chinh-thuc/", views.report_render_final, name="render_final"),
    path("<int:pk>/ho-so/<str:column>/<str:field>/", views.report_drilldown, name="drilldown"),
]
