"""The online channel's pages: the desk's, and the citizen's download of a result (/truc-tuyen/ket-qua/<id>/)."""

from django.urls import path

from . import certify_views, views

app_name = "tructuyen"
urlpatterns = [
    path("cho-tiep-nhan/", views.queue, name="queue"),
    path("ho-so/<int:pk>/", views.review, name="review"),
    path("ho-so/<int:pk>/tiep-nhan/", views.receive, name="receive"),
    path("ho-so/<int:pk>/bo-sung/", views.request_papers, name="request_papers"),
    path("ho-so/<int:pk>/tu-choi/", views.refuse, name="refuse"),
    path("ho-so/<int:pk>/chung-thuc/", certify_views.certify, name="certify_copy"),
    path("tep/<int:pk>/", views.file_view, name="file"),
    path("ket-qua/<int:pk>/", views.citizen_file, name="citizen_file"),
]
