"""The leader's pages for a document to sign on the PC (/ky-so/<code>/); /xac-thuc/ is in motcua.urls."""

from django.urls import path

from . import views

app_name = "kyso"
urlpatterns = [
    path("<str:code>/", views.document_page, name="document"),
    path("<str:code>/van-ban.pdf", views.document_pdf, name="document_pdf"),
    path("<str:code>/tai-len/", views.upload_signed, name="upload_signed"),
]
