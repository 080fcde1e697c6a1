"""The desk's pages: intake, worklists, a dossier, slips, the tracking book, surveys."""

from django.urls import path

from .views import dossier, intake, tracking_book, worklists
from .views import surveys as survey_views

app_name = "hoso"
urlpatterns = [
    path("tiep-nhan/", intake.choose_procedure, name="intake_search"),
    path("tiep-nhan/<str:code>/", intake.intake, name="intake"),
    path("tiep-nhan/<str:code>/hen-tra/", intake.due_preview, name="due_preview"),
    path("quay/", worklists.clerk_day, name="worklist_clerk"),
    path("cua-toi/", worklists.officer_queue, name="worklist_officer"),
    path("lanh-dao/", worklists.leader_board, name="worklist_leader"),
    path("tim-kiem/", worklists.search, name="search"),
    path("so-theo-doi/", tracking_book.book, name="tracking_book"),
    path("so-theo-doi/xlsx/", tracking_book.book_xlsx, name="tracking_book_xlsx"),
    path("so-theo-doi/pdf/", tracking_book.book_pdf, name="tracking_book_pdf"),
    path("<int:pk>/", dossier.detail, name="detail"),
    path("<int:pk>/thao-tac/<str:action>/", dossier.act, name="act"),
    path("<int:pk>/phieu/<str:form>.pdf", dossier.document, name="document"),
    path("quay-danh-gia/", survey_views.counter_idle, name="survey_counter"),
    path("quay-danh-gia/cho/", survey_views.counter_poll, name="survey_counter_poll"),
    path("quay-danh-gia/<str:token>/", survey_views.counter_vote, name="survey_counter_vote"),
    path("<int:pk>/danh-gia/moi-tai-quay/", survey_views.invite, name="survey_invite"),
    path("<int:pk>/danh-gia/phieu-giay/", survey_views.paper, name="survey_paper"),
    path("y-kien-khong-hai-long/", survey_views.follow_ups, name="follow_ups"),
    path("y-kien-khong-hai-long/<int:pk>/", survey_views.follow_up_update, name="follow_up_update"),
]
