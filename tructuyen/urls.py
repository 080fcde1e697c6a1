"""The desk's pages of the online channel."""

from django.urls import path

from . import views

app_name = "tructuyen"
urlpatterns = [
    path("tep/<int:pk>/", views.file_view, name="file"),
]
