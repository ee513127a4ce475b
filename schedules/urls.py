from django.urls import path

from schedules import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("workspaces/<int:workspace_id>/", views.workspace, name="workspace"),
]
