"""The WhatsApp inbox pages, included by dashboard/urls.py under `whatsapp/` (namespace
`dashboard:whatsapp`)."""

from django.urls import path

from dashboard import whatsapp_views as views

app_name = "whatsapp"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("daftar/", views.chat_list_partial, name="list"),
    path("sesi/", views.session_partial, name="session"),
    path("sesi/hubungkan/", views.session_connect, name="session-connect"),
    path("sesi/simulasi/pindai/", views.simulator_scan, name="sim-scan"),
    path("sesi/simulasi/pembeli/", views.simulator_buyer, name="sim-buyer"),
    path("sesi/<str:action>/", views.session_action, name="session-action"),
    path("pengaturan/", views.settings_page, name="settings"),
    path("pengaturan/balasan/<int:reply_id>/hapus/", views.canned_delete, name="canned-delete"),
    path("pengaturan/label/<int:label_id>/hapus/", views.label_delete, name="label-delete"),
    path("<uuid:chat_id>/", views.inbox, name="chat"),
    path("<uuid:chat_id>/pesan/", views.messages_partial, name="messages"),
    path("<uuid:chat_id>/kirim/", views.chat_send, name="send"),
    path("<uuid:chat_id>/aksi/", views.chat_quick, name="quick"),
    path("<uuid:chat_id>/template/", views.chat_template, name="template"),
    path("<uuid:chat_id>/label/", views.chat_labels, name="chat-labels"),
]
