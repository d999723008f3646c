"""The seller's Instagram pages, included by dashboard/urls.py under `instagram/` (namespace
`dashboard:instagram`)."""

from django.urls import path

from instagram import views

app_name = "instagram"

urlpatterns = [
    path("", views.posts, name="posts"),
    path("hubungkan/", views.connect, name="connect"),
    path("kembali/", views.callback, name="callback"),
    path("putuskan/", views.disconnect, name="disconnect"),
    path("draf/", views.draft_new, name="draft-new"),
    path("posting/<uuid:post_id>/", views.post_action, name="post-action"),
    path("simulator/authorize", views.simulator_authorize, name="simulator-authorize"),
]
