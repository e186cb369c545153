"""A paginator for the big changelists (invoices, payments, stock movements, khata entries).

Django's changelist counts the rows of the list it shows on every page view. Unfiltered, on a table of
millions of rows, that COUNT(*) reads the whole table on PostgreSQL (about a second per million rows) just
to print "1,234,567 invoices" and the page links. On PostgreSQL this paginator takes the planner's estimate
of the table's size instead (pg_class.reltuples, kept by ANALYZE and autovacuum) when the list is not
filtered; a filtered list, a small table, a table never analysed and SQLite are counted exactly.
Use it together with `show_full_result_count = False`, which saves the second count of the unfiltered table.
"""

from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet


class EstimatingPaginator(Paginator):
    # Below this many rows an exact count is cheap, and an estimate's error would show.
    estimate_from = 50_000

    @cached_property
    def count(self) -> int:
        estimate = self._estimated_count()
        return estimate if estimate is not None else super().count

    def _estimated_count(self) -> int | None:
        rows = self.object_list
        if not isinstance(rows, QuerySet) or connections[rows.db].vendor != "postgresql":
            return None
        query = rows.query
        if query.where or query.distinct or query.combinator or query.is_sliced or query.group_by:
            return None  # a filtered list: its own count, exactly
        with connections[rows.db].cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                           [rows.model._meta.db_table])
            row = cursor.fetchone()
        if row is None or row[0] < self.estimate_from:  # -1 when never analysed
            return None
        return int(row[0])
