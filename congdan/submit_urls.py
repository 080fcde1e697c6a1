"""URLs of the citizen's online submission, mounted at /nop-ho-so/ by motcua.urls."""

from django.urls import path

from . import submission

app_name = "nophoso"

urlpatterns = [
    path("", submission.pick, name="pick"),
    path("<int:pk>/", submission.resume, name="resume"),
    path("<int:pk>/nguoi-nop/", submission.applicant, name="nguoi-nop"),
    path("<int:pk>/giay-to/", submission.papers, name="giay-to"),
    path("<int:pk>/giay-to/<int:file_pk>/xoa/", submission.remove_file, name="remove_file"),
    path("<int:pk>/nhan-ket-qua/", submission.delivery, name="nhan-ket-qua"),
    path("<int:pk>/xem-lai/", submission.review, name="xem-lai"),
    path("<int:pk>/xoa/", submission.delete, name="delete"),
    path("da-nop/<int:pk>/", submission.sent, name="sent"),
]
