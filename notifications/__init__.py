"""Notifications: order emails and in-app alerts, subscribed to domain events; proactive seller alerts."""
