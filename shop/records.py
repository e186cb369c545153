"""Append-only records: written once, never changed or deleted, linked to the document behind them."""

import pgtrigger
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def source_fields(source: models.Model | None) -> dict:
    """Return the source_type/source_id values that point a record at the document it came from."""
    if source is None:
        return {"source_type": None, "source_id": None}
    return {"source_type": ContentType.objects.get_for_model(source), "source_id": source.pk}


def append_only_triggers() -> list:
    """Return the PostgreSQL trigger that refuses UPDATE and DELETE of a record's rows, whatever the caller
    (QuerySet.update(), raw SQL, another program). Put it in each concrete model's Meta.triggers;
    SQLite relies on save() and delete() below."""
    return [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]


class AppendOnlyRecord(models.Model):
    """A stock movement, a khata line, a day book line: a mistake is corrected by a new record."""

    reference = models.CharField(_("reference"), max_length=60, blank=True,
                                 help_text=_("The document this came from, such as an invoice number."))
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, editable=False,
                                    related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("%(what)s cannot be changed; record a correcting entry instead.")
                                  % {"what": self._meta.verbose_name_plural.capitalize()})
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("%(what)s cannot be deleted; record a correcting entry instead.")
                              % {"what": self._meta.verbose_name_plural.capitalize()})
