"""Django-Q2's admin pages, re-registered in unfold's chrome and locked down.

The worker imports and runs whatever a schedule's `func` and `hook` name, with its arguments, so a
schedule is code: Galla's are created by data migrations. Here nobody adds or deletes one or changes
what it runs; the owner (change permission) changes only when it runs and switches it on or off
(shop.schedules), a manager looks. Task results, failures and the queue are records the owner looks
at: nobody edits or deletes them, and Django-Q2's "resubmit" action is gone (re-running a stored
task is not the admin's job; Galla's schedules retry on their own).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from django_q import admin as q_admin
from django_q.models import Failure, OrmQ, Schedule, Success
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.widgets import UnfoldBooleanSwitchWidget

from shop.admin_base import RecordAdminMixin
from shop.schedules import (
    LOCKED_FIELDS,
    cron_available,
    schedule_set_timing,
    schedule_type_choices,
    validate_schedule_timing,
)

TIMING_FORM_FIELDS = ("enabled", "schedule_type", "minutes", "cron", "next_run")


class ScheduleTimingForm(forms.ModelForm):
    """The timing of a schedule and an on/off switch; a posted value for anything else is refused."""

    enabled = forms.BooleanField(
        label=_("Enabled"), required=False, widget=UnfoldBooleanSwitchWidget,
        help_text=_("Off: the schedule stays but does not run until switched on again."))

    class Meta:
        model = Schedule
        fields = ("schedule_type", "minutes", "cron", "next_run")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enabled"].initial = self.instance.repeats != 0
        if "schedule_type" in self.fields:
            self.fields["schedule_type"].choices = schedule_type_choices()
        if "next_run" in self.fields:
            self.fields["next_run"].required = True

    def clean(self):
        # The page never sends these (they are shown read-only): a request that does is forged.
        posted = [name for name in (*LOCKED_FIELDS, "repeats") if self.add_prefix(name) in self.data]
        if posted:
            raise ValidationError(_("What a schedule runs (%(fields)s) is set in code and cannot be changed here.")
                                  % {"fields": ", ".join(posted)}, code="locked")
        cleaned = super().clean()
        try:
            validate_schedule_timing(**self._timing(cleaned))
        except ValidationError as refusal:
            for field, messages in refusal.message_dict.items():
                self.add_error(field if field in self.fields else NON_FIELD_ERRORS, messages)
        return cleaned

    def _timing(self, cleaned: dict) -> dict:
        """Return the timing the form asks for; a field not on the form keeps the stored value, and
        an untouched next run is left to the service (a new cron moves it)."""
        return {**{name: cleaned.get(name, getattr(self.instance, name)) for name in ("schedule_type", "minutes",
                                                                                     "cron")},
                "next_run": cleaned.get("next_run") if "next_run" in self.changed_data else None}

    def timing(self) -> dict:
        return {**self._timing(self.cleaned_data), "enabled": self.cleaned_data["enabled"]}


class ScheduleAdmin(q_admin.ScheduleAdmin, ModelAdmin):
    form = ScheduleTimingForm
    list_display = ("id", "name", "func", "schedule_type", "enabled_badge", "next_run", "get_last_run",
                    "get_success")
    actions = None
    fieldsets = (
        (_("When it runs"), {"fields": TIMING_FORM_FIELDS}),
        (_("What it runs (set in code)"), {"fields": LOCKED_FIELDS}),
    )

    def get_readonly_fields(self, request, obj=None):
        return (*LOCKED_FIELDS, *(() if cron_available() else ("cron",)))

    def get_list_display(self, request):
        # The last run links to its result, which only someone who may see results can open.
        if request.user.has_perms(("django_q.view_success", "django_q.view_failure")):
            return self.list_display
        return tuple("last_task_name" if name == "get_last_run" else name for name in self.list_display)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = schedule_set_timing(schedule_id=obj.pk, **form.timing())
        for name in ("schedule_type", "minutes", "cron", "next_run", "repeats"):
            setattr(obj, name, getattr(saved, name))

    @display(description=_("enabled"), boolean=True)
    def enabled(self, schedule):
        return schedule.repeats != 0

    @display(description=_("enabled"), boolean=True, ordering="repeats")
    def enabled_badge(self, schedule):
        return schedule.repeats != 0

    @display(description=_("last run"))
    def last_task_name(self, schedule):
        return schedule.task_name


class TaskAdmin(RecordAdminMixin, q_admin.TaskAdmin, ModelAdmin):
    actions = None


class FailAdmin(RecordAdminMixin, q_admin.FailAdmin, ModelAdmin):
    actions = None


class QueueAdmin(RecordAdminMixin, q_admin.QueueAdmin, ModelAdmin):
    actions = None


for model, model_admin in ((Schedule, ScheduleAdmin), (Success, TaskAdmin), (Failure, FailAdmin),
                           (OrmQ, QueueAdmin)):
    if admin.site.is_registered(model):  # Django-Q2 registers the queue only with the ORM broker
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
