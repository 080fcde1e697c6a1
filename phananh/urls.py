"""URLs of the petitions pages: public under /phan-anh-kien-nghi/, staff under /xu-ly-phan-anh/."""

from django.urls import path

from . import views

app_name = "phananh"

urlpatterns = [
    path("phan-anh-kien-nghi/", views.submit, name="submit"),
    path("phan-anh-kien-nghi/da-tra-loi/", views.answers, name="answers"),
    path("phan-anh-kien-nghi/da-tra-loi/<str:code>/", views.answer_detail, name="answer_detail"),
    path("phan-anh-kien-nghi/theo-doi/<str:token>/", views.track, name="track"),
    path("xu-ly-phan-anh/", views.worklist, name="worklist"),
    path("xu-ly-phan-anh/tiep-nhan/", views.counter, name="counter"),
    path("xu-ly-phan-anh/tu-danh-gia/<int:rating_pk>/", views.from_survey, name="from_survey"),
    path("xu-ly-phan-anh/<int:pk>/", views.detail, name="detail"),
    path("xu-ly-phan-anh/<int:pk>/tep/<int:photo_pk>/", views.photo, name="photo"),
    path("xu-ly-phan-anh/<int:pk>/<str:action>/", views.act, name="act"),
]
