"""Public pages of the procedure catalogue."""

from django.urls import path

from . import views

app_name = "thutuc"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("<str:code>/", views.procedure_detail, name="detail"),
]
