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
