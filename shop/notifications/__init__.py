"""The email outbox: every email is a row first, then a background task sends it and retries on failure.

Models live in shop.notifications.models (imported by shop.models, so they belong to the shop app);
writes in shop.notifications.services; the retry schedule in shop.notifications.schedules.
"""
