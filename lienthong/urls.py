"""URLs of the national link's pages."""

from django.urls import path

from . import views

app_name = "lienthong"
urlpatterns = [path("chua-dong-bo/", views.unsynced, name="unsynced")]
