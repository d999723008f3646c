"""WhatsApp inbox: sessions (QR-linked gateway or Cloud API), chats, messages, webhooks, commerce in the chat."""
