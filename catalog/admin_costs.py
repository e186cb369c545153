"""The admin side of cost privacy: what a user without the cost-price permission (a cashier) never gets.

`HidesCostsMixin` drops cost columns, form fields and history diffs, and refuses querystring lookups that
read a cost here or through a relation (`?cost_price__gte=100`, `?product__cost_price__lt=5`), on the list
and on its export alike. Django answers a refused lookup with a 400.
"""

from dataclasses import replace

from simple_history.template_utils import HistoricalRecordContextHelper

from catalog.costs import cost_fields_of, lookup_touches_cost, may_see_costs


class CostlessHistoryHelper(HistoricalRecordContextHelper):
    """A history diff without the changes of the named fields."""

    def __init__(self, model, historical_record, *, hidden: frozenset[str]):
        super().__init__(model, historical_record)
        self.hidden = hidden

    def context_for_delta_changes(self, delta):
        shown = [change for change in delta.changes if change.field not in self.hidden]
        return super().context_for_delta_changes(
            replace(delta, changes=shown, changed_fields=[change.field for change in shown]))


class HidesCostsMixin:
    """Hide costs from users without the cost-price permission. Put it before the ModelAdmin in the bases.

    `cost_fields` names this admin's own cost columns, form fields and annotations; the cost fields of the
    model and of every related model come from `catalog.costs.COST_FIELDS`.
    """

    cost_fields: tuple[str, ...] = ()

    def _hide_costs(self, request) -> bool:
        return not may_see_costs(request.user)

    def _cost_names(self) -> frozenset[str]:
        return cost_fields_of(self.model) | set(self.cost_fields)

    def _shows_cost(self, name) -> bool:
        """Return whether a column or field shows a cost, or sorts by one (so sorting would betray it)."""
        if not isinstance(name, str):
            return False
        if name in self._cost_names():
            return True
        shown_by = getattr(self, name, None) or getattr(self.model, name, None)
        ordering = getattr(shown_by, "admin_order_field", None)
        return isinstance(ordering, str) and lookup_touches_cost(
            self.model, ordering.lstrip("-"), cost_names=self.cost_fields)

    def lookup_allowed(self, lookup, value, request):
        if self._hide_costs(request) and lookup_touches_cost(self.model, lookup, cost_names=self.cost_fields):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_list_display(self, request):
        fields = super().get_list_display(request)
        return [f for f in fields if not self._shows_cost(f)] if self._hide_costs(request) else fields

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if not self._hide_costs(request):
            return fields
        return [f for f in fields if not lookup_touches_cost(self.model, f.lstrip("^=@"), cost_names=self.cost_fields)]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._hide_costs(request):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if not self._shows_cost(f)]})
            for name, options in fieldsets
        ]

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        return excluded + sorted(self._cost_names()) if self._hide_costs(request) else excluded

    # simple-history (only called on admins that also inherit SimpleHistoryAdmin)

    def get_history_list_display(self, request):
        fields = super().get_history_list_display(request)
        return [f for f in fields if not self._shows_cost(f)] if self._hide_costs(request) else fields

    def get_historical_record_context_helper(self, request, historical_record):
        if not self._hide_costs(request):
            return super().get_historical_record_context_helper(request, historical_record)
        return CostlessHistoryHelper(self.model, historical_record, hidden=self._cost_names())
