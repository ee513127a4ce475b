"""Comes before django.contrib.auth.urls, so its login view wins."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("preferences/", views.preferences, name="preferences"),
]
