"""Which fields carry a purchase cost, and who may see them.

Costs are hidden from anyone without `catalog.view_cost_price` (cashiers) wherever the admin could show
or betray them: columns, forms, exports, history diffs, and querystring lookups (a filter on a cost
answers yes or no, so sixteen of them find any cost by binary search).
"""

from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.db.models.constants import LOOKUP_SEP

COST_PERMISSION = "catalog.view_cost_price"

# Model fields that hold a purchase cost, by lower-case model label. Apps downstream of catalog
# (sales) are named by label, never imported.
COST_FIELDS: dict[str, frozenset[str]] = {
    "catalog.product": frozenset({"cost_price"}),
    "catalog.purchaseline": frozenset({"unit_cost"}),
    "catalog.stockmovement": frozenset({"unit_cost"}),
    "sales.invoiceline": frozenset({"unit_cost"}),
}


def may_see_costs(user) -> bool:
    return user.has_perm(COST_PERMISSION)


def cost_fields_of(model: type[Model]) -> frozenset[str]:
    """Return the cost fields of a model, or of the model a simple-history table records."""
    recorded = getattr(model, "instance_type", model)
    return COST_FIELDS.get(recorded._meta.label_lower, frozenset())


def lookup_touches_cost(model: type[Model], lookup: str, *, cost_names: Iterable[str] = ()) -> bool:
    """Return whether a lookup such as "product__cost_price__lt" reads a cost, following relations both ways.

    `cost_names` adds names an admin computes from a cost (annotations, columns) on `model` itself.
    """
    parts = lookup.split(LOOKUP_SEP)
    if parts[0] in set(cost_names):
        return True
    for part in parts:
        if part in cost_fields_of(model):
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a comparison or transform ("gte", "year"), or a name the query itself rejects
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False
