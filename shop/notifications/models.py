"""The outbox: one row per email, with its attachments stored beside it, so a retry sends what was queued."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """An email written in the same transaction as its cause and sent later by a background task.

    Status moves queued -> sending -> sent; a failed attempt goes back to queued with a later
    next_attempt_at, until the last allowed attempt fails and it becomes failed. While sending,
    next_attempt_at is the lease: if the worker dies, the retry sweep takes the row back after it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.CharField(_("to"), max_length=1000, help_text=_("One or more addresses, separated by commas."))
    from_email = models.CharField(_("from"), max_length=254)
    reply_to = models.CharField(_("reply to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    text_body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt"), null=True, blank=True, default=timezone.now,
        help_text=_("When the next try is due; empty once sent or given up."))
    created_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True,
                                 help_text=_("What the email is about, such as an invoice number."))
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, editable=False,
                                    related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    source = GenericForeignKey("source_type", "source_id")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("queued by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    # "This email to this address for this period": a second email_queue with the same key returns the
    # first row instead of writing another, whoever runs it (a schedule, a command, a rerun). Null: no dedupe.
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, null=True, blank=True, unique=True, editable=False)
    provider_message_id = models.CharField(
        _("provider message id"), max_length=255, blank=True, db_index=True, editable=False,
        help_text=_("The id the mail service gave the message; its delivery reports are matched by it."))
    delivery_status = models.CharField(_("delivery"), max_length=20, blank=True, editable=False,
                                       help_text=_("What the mail service last reported: delivered, bounced, ..."))
    delivery_updated_at = models.DateTimeField(_("delivery reported at"), null=True, blank=True, editable=False)
    attachments_removed_at = models.DateTimeField(
        _("attachments removed at"), null=True, blank=True, editable=False,
        help_text=_("Sent emails lose their stored attachments after the retention period."))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("email outbox")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="email_due_idx"),
            models.Index(fields=["source_type", "source_id"], name="email_source_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["queued", "sending", "sent", "failed"]),
                                   name="email_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

    @property
    def recipients(self) -> list[str]:
        """Return the addresses as a list."""
        return [address.strip() for address in self.to.split(",") if address.strip()]


class OutboundEmailAttachment(models.Model):
    """A file sent with an email, kept as the bytes that were queued."""

    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    mimetype = models.CharField(_("type"), max_length=100, default="application/octet-stream")
    content = models.BinaryField(_("content"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename

    @property
    def size(self) -> int:
        return len(self.content or b"")


class Notification(models.Model):
    """A message in a user's in-app inbox (the bell in the admin header).

    A notification to a role is written once per member (`role` says so), so each person reads and
    marks their own; nobody ever sees another's rows. `key` makes a repeated cause (a UPI payment
    still awaited at the next check) land once per user.
    """

    class Level(models.TextChoices):
        INFO = "info", _("Info")
        WARNING = "warning", _("Warning")
        DANGER = "danger", _("Needs action")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("for"), on_delete=models.CASCADE,
                             related_name="notifications")
    role = models.CharField(_("sent to role"), max_length=20, blank=True,
                            help_text=_("The role it was sent to, when it went to everyone in a role."))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("key"), max_length=120, blank=True, editable=False)
    is_read = models.BooleanField(_("read"), default=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "is_read"], name="notification_unread_idx")]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""), name="notification_once_per_key"),
            models.CheckConstraint(condition=Q(level__in=["info", "warning", "danger"]),
                                   name="notification_level_valid"),
        ]

    def __str__(self) -> str:
        return self.text


class LowStockAlertMark(models.Model):
    """A product the low-stock alert has already reported and that has not recovered since.

    The alert reports only products without a mark; a product back above its level loses its mark,
    so falling again alerts again.
    """

    product = models.OneToOneField("catalog.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                   primary_key=True, related_name="+")
    on_hand = models.DecimalField(_("stock when alerted"), max_digits=12, decimal_places=3)
    alerted_at = models.DateTimeField(_("alerted at"), default=timezone.now)

    class Meta:
        verbose_name = _("low-stock alert mark")
        verbose_name_plural = _("low-stock alert marks")

    def __str__(self) -> str:
        return f"{self.product_id} @ {self.alerted_at:%Y-%m-%d}"
