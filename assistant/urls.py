from django.urls import path

from assistant import api

urlpatterns = [
    path("ai/chat", api.chat, name="ai-chat"),
    path("ai/chat/", api.chat),
    path("ai/conversations", api.ConversationListApi.as_view(), name="ai-conversations"),
    path("ai/conversations/<uuid:session_id>", api.ConversationDetailApi.as_view(), name="ai-conversation"),
]
