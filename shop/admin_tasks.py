"""Django-Q2's admin pages, re-registered so they wear unfold's chrome like the rest.

Task results are records: they can be looked at and cleared, never edited.
"""

from django.contrib import admin
from django_q import admin as q_admin
from django_q.models import Failure, OrmQ, Schedule, Success
from unfold.admin import ModelAdmin


class ReadOnlyResultsMixin:
    def has_change_permission(self, request, obj=None):
        return False


_Q_ADMINS = {
    Schedule: (q_admin.ScheduleAdmin,),
    Success: (ReadOnlyResultsMixin, q_admin.TaskAdmin),
    Failure: (ReadOnlyResultsMixin, q_admin.FailAdmin),
    OrmQ: (q_admin.QueueAdmin,),
}

for model, bases in _Q_ADMINS.items():
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, type(bases[-1].__name__, (*bases, ModelAdmin), {}))
