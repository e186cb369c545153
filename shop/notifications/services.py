"""Queue, send, retry and resend emails through the outbox.

How an email travels:
1. `email_queue` renders the templates and writes the row (and its attachments) in the caller's
   transaction; `transaction.on_commit` then enqueues the Django-Q2 task `email_send`. If the cause
   rolls back, no email exists; if the broker is down at commit, the row waits for the sweep.
2. `email_send` claims the row with one conditional UPDATE (queued and due -> sending), so two
   workers can never both send it, then talks to the mail server outside any transaction and
   records the outcome. A failure goes back to queued with a later `next_attempt_at`
   (RETRY_DELAYS), until MAX_ATTEMPTS have failed: then the row is failed and stays for the owner.
3. The "Retry queued emails" schedule runs `email_retry_due` every few minutes: it takes back rows
   whose sending worker died (their lease ran out) and enqueues every queued row that is due.
4. `email_resend` puts a failed email back in the queue with fresh attempts (the admin's Resend).
"""

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.mail.handler import DEFAULT_MAILER_ALIAS
from django.core.mail.message import make_msgid
from django.core.validators import EmailValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from shop.notifications.models import OutboundEmail, OutboundEmailAttachment
from shop.records import source_fields

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status

# Wait after the 1st, 2nd, ... failed attempt; the last delay repeats. About a day of trying in all.
RETRY_DELAYS = (
    timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=3),
    timedelta(hours=6), timedelta(hours=12),
)
MAX_ATTEMPTS = 8
# How long a worker may hold a row in "sending" before the sweep assumes it died. Far above the
# SMTP timeout (20 s) and Django-Q2's task timeout (120 s), so a live worker is never overtaken.
SENDING_LEASE = timedelta(minutes=10)
SWEEP_BATCH = 200

SEND_TASK = "shop.notifications.services.email_send"

Attachment = tuple[str, bytes, str]  # (file name, content, MIME type)


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after `attempts` failed attempts (1 -> the first delay), capped at the last."""
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def clean_recipients(to: str | Iterable[str]) -> list[str]:
    """Return the addresses as a list, or raise ValidationError keyed "to" naming the first bad one."""
    addresses = to.split(",") if isinstance(to, str) else list(to)
    addresses = [str(address).strip() for address in addresses if str(address).strip()]
    if not addresses:
        raise ValidationError({"to": [_("Enter an email address.")]}, code="required")
    validate = EmailValidator()
    for address in addresses:
        try:
            validate(address)
        except ValidationError:
            raise ValidationError(
                {"to": [_("“%(address)s” is not a valid email address.") % {"address": address}]},
                code="invalid") from None
    return addresses


def render_text(template_name: str, context: dict) -> str:
    """Render a plain-text template without HTML escaping ("A & B" stays "A & B" in a text email)."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def email_queue(
    *,
    to: str | Iterable[str],
    subject: str,
    template: str,
    context: dict,
    attachments: Iterable[Attachment] = (),
    reference: str = "",
    source: models.Model | None = None,
    reply_to: str = "",
    user=None,
    dedupe_key: str | None = None,
) -> OutboundEmail:
    """Render templates/emails/<template>.txt and .html, write the email in the caller's transaction,
    and send it in the background once that transaction commits. Return the queued row.

    With a `dedupe_key` ("summary:2026-11-24:owner@example.com"), an email already queued under that
    key is returned instead and nothing new is written or sent: the unique column decides, so two
    workers racing with the same key end with one row (the loser reads the winner's).
    """
    if dedupe_key:
        existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    email = OutboundEmail(
        to=", ".join(clean_recipients(to)),
        from_email=settings.DEFAULT_FROM_EMAIL,
        reply_to=reply_to,
        subject=" ".join(str(subject).split())[:255],  # a header is one line
        text_body=render_text(f"emails/{template}.txt", context),
        html_body=render_to_string(f"emails/{template}.html", context),
        reference=str(reference)[:60],
        status=Status.QUEUED,
        next_attempt_at=timezone.now(),
        created_by=user,
        dedupe_key=dedupe_key or None,
        **source_fields(source),
    )
    email.full_clean(validate_unique=False)  # the database decides uniqueness (see the dedupe key)
    files = [OutboundEmailAttachment(filename=name, content=bytes(content), mimetype=mimetype or
                                     "application/octet-stream") for name, content, mimetype in attachments]
    try:
        with transaction.atomic():  # a savepoint: losing the dedupe race leaves the caller's transaction usable
            email.save(force_insert=True)
            for file in files:
                file.email = email
            OutboundEmailAttachment.objects.bulk_create(files)
    except IntegrityError:
        if not dedupe_key:
            raise
        return OutboundEmail.objects.get(dedupe_key=dedupe_key)
    _enqueue_on_commit(email.pk)
    return email


def _enqueue_on_commit(email_id: int) -> None:
    # robust: a broker that is down must not turn a committed sale into an error page; the sweep sends it later.
    transaction.on_commit(partial(_enqueue, email_id), robust=True)


def _enqueue(email_id: int) -> None:
    async_task(SEND_TASK, email_id, group="email", task_name=f"email-{email_id}")


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text_body, from_email=email.from_email, to=email.recipients,
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={"X-Galla-Email-Id": str(email.pk), "Message-ID": make_msgid(f"galla-{email.pk}")},
    )
    message.attach_alternative(email.html_body, "text/html")
    for attachment in email.attachments.all():
        message.attach(attachment.filename, bytes(attachment.content), attachment.mimetype)
    return message


def email_send(email_id: int) -> str:
    """Send one email if it is queued and due and no other worker has claimed it; record the outcome.

    Return the row's status afterwards ("skipped" when there was nothing to do). The claim is a single
    conditional UPDATE, so of two workers racing for a row exactly one sends it.
    """
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(pk=email_id, status=Status.QUEUED, next_attempt_at__lte=now).update(
        status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE)
    if not claimed:
        return "skipped"
    email = OutboundEmail.objects.get(pk=email_id)
    message = _message(email)
    try:
        sent = message.send(using=DEFAULT_MAILER_ALIAS)
        if not sent:
            raise RuntimeError(_("The mailer accepted nothing to send."))
    except Exception as error:  # any failure of the mail server or backend is recorded and retried
        return _record_failure(email, error)
    OutboundEmail.objects.filter(pk=email_id, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error="",
        provider_message_id=provider_message_id(message)[:255])
    logger.info("Sent email %s (%s) to %s", email_id, email.reference or email.subject, email.to)
    return Status.SENT


def _record_failure(email: OutboundEmail, error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"[:2000]
    if email.attempts >= MAX_ATTEMPTS:
        status, next_attempt_at = Status.FAILED, None
        logger.error("Gave up on email %s to %s after %s attempts: %s", email.pk, email.to, email.attempts, text)
        _notify_given_up(email)
    else:
        status, next_attempt_at = Status.QUEUED, timezone.now() + retry_delay(email.attempts)
        logger.warning("Email %s to %s failed (attempt %s), retrying at %s: %s", email.pk, email.to,
                       email.attempts, next_attempt_at, text)
    OutboundEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
        status=status, next_attempt_at=next_attempt_at, last_error=text)
    return status


def email_retry_due(*, limit: int = SWEEP_BATCH) -> int:
    """Take back emails whose sending worker died, and enqueue every queued email that is due.

    Run by the "Retry queued emails" schedule. Return how many emails were enqueued.
    """
    now = timezone.now()
    stale = OutboundEmail.objects.filter(status=Status.SENDING, next_attempt_at__lte=now)
    lost = _("The worker stopped before the mail server answered.")
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(status=Status.FAILED, next_attempt_at=None, last_error=lost)
    stale.update(status=Status.QUEUED, next_attempt_at=now, last_error=lost)
    due = list(OutboundEmail.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    for email_id in due:
        _enqueue(email_id)
    return len(due)


def email_resend(*, email: OutboundEmail) -> OutboundEmail:
    """Put a failed (or still queued) email back in the queue with fresh attempts and send it soon.

    A sent email is not sent twice, and one being sent right now is left to its worker.
    """
    updated = OutboundEmail.objects.filter(pk=email.pk, status__in=[Status.FAILED, Status.QUEUED]).update(
        status=Status.QUEUED, attempts=0, next_attempt_at=timezone.now())
    if not updated:
        email.refresh_from_db(fields=["status"])
        if email.status == Status.SENT:
            raise ValidationError(_("This email was already sent."), code="already_sent")
        raise ValidationError(_("This email is being sent right now."), code="sending")
    _enqueue_on_commit(email.pk)
    email.refresh_from_db()
    return email


def provider_message_id(message: EmailMultiAlternatives) -> str:
    """Return the id the mail service knows the sent message by: anymail's (the provider's) when an anymail
    backend sent it, else the Message-ID header (SMTP)."""
    status = getattr(message, "anymail_status", None)
    message_id = getattr(status, "message_id", None)
    if message_id is not None:  # a set when recipients got different ids: reports then match the first only
        return str(sorted(message_id)[0] if isinstance(message_id, set) else message_id)
    return str(message.extra_headers.get("Message-ID", ""))


def _notify_given_up(email: OutboundEmail) -> None:
    from django.urls import reverse

    from shop.notifications.inbox import MANAGERS, Level, notify

    notify(text=_("An email could not be sent after %(attempts)s attempts: “%(subject)s” to %(to)s.")
           % {"attempts": email.attempts, "subject": email.subject, "to": email.to},
           level=Level.DANGER, roles=MANAGERS, key=f"email-failed:{email.pk}:{email.attempts}",
           link=reverse("admin:shop_outboundemail_change", args=[email.pk]))


# --- delivery reports ------------------------------------------------------------------------------

# anymail's normalized event types mapped to what the outbox shows; others are ignored.
DELIVERY_EVENTS = {"delivered": "delivered", "bounced": "bounced", "rejected": "rejected", "complained": "complained",
                   "deferred": "deferred", "opened": "opened", "clicked": "clicked"}
# A later "opened" must not hide a "bounced": the worse (or more final) report wins.
DELIVERY_RANK = {"": 0, "deferred": 1, "delivered": 2, "opened": 3, "clicked": 4, "complained": 5, "rejected": 6,
                 "bounced": 7}


def email_delivery_record(*, message_id: str, event_type: str, at=None) -> int:
    """Record a provider's delivery report on the outbox row sent with `message_id`; return rows updated.

    Unknown ids and event types are ignored (a webhook may report mail sent by something else)."""
    status = DELIVERY_EVENTS.get(str(event_type))
    if not message_id or status is None:
        return 0
    updated = 0
    for email in OutboundEmail.objects.filter(provider_message_id=str(message_id)[:255]):
        if DELIVERY_RANK[status] < DELIVERY_RANK.get(email.delivery_status, 0):
            continue
        updated += OutboundEmail.objects.filter(pk=email.pk).update(delivery_status=status,
                                                                   delivery_updated_at=at or timezone.now())
    return updated


# --- retention -----------------------------------------------------------------------------------

def email_attachments_expire(*, now=None) -> int:
    """Delete the stored attachments of emails sent more than EMAIL_ATTACHMENT_RETENTION_DAYS ago; the email
    row stays (who, what, when). Run daily by the "Remove old email attachments" schedule. Return how many
    emails lost their attachments."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EMAIL_ATTACHMENT_RETENTION_DAYS)
    old = OutboundEmail.objects.filter(status=Status.SENT, sent_at__lt=cutoff, attachments_removed_at__isnull=True)
    ids = list(old.values_list("pk", flat=True)[:5000])
    with transaction.atomic():
        OutboundEmailAttachment.objects.filter(email_id__in=ids).delete()
        OutboundEmail.objects.filter(pk__in=ids).update(attachments_removed_at=now)
    return len(ids)
