"""The desk's pages of the online channel."""

from django.urls import path

from . import views

app_name = "tructuyen"
urlpatterns = [
    path("cho-tiep-nhan/", views.queue, name="queue"),
    path("ho-so/<int:pk>/", views.review, name="review"),
    path("ho-so/<int:pk>/tiep-nhan/", views.receive, name="receive"),
    path("ho-so/<int:pk>/tu-choi/", views.refuse, name="refuse"),
    path("tep/<int:pk>/", views.file_view, name="file"),
]
