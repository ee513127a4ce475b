"""Comes before django.contrib.auth.urls, so its login and reset views win."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

reset = views.when_reset_enabled

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="digest_unsubscribe"),
    path("tour/dismiss/", views.dismiss_tour, name="dismiss_tour"),
    path(
        "password_reset/",
        reset(views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        reset(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        reset(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        reset(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
