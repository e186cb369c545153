"""anymail's delivery reports (its `tracking` signal, sent by the provider's webhook view) onto the outbox.

The receiver only unpacks the event; shop.notifications.services.email_delivery_record does the work.
"""

from anymail.signals import AnymailTrackingEvent


def on_tracking(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    from shop.notifications.services import email_delivery_record

    email_delivery_record(message_id=event.message_id or "", event_type=event.event_type, at=event.timestamp)
