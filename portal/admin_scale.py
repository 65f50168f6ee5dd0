"""What every admin of a big table shares, so that a list stays fast with millions of rows.

    class InvoiceAdmin(StaffActionsMixin, BigTableAdmin, admin.ModelAdmin):   # the one line: BigTableAdmin
        customer_path = "customer"    # where the customer is (the default), for search by name, email, postcode

It gives:
- 50 rows a page;
- no full COUNT(*): the paginator counts at most COUNT_CAP rows of a filtered list (an index range, not the
  table) and reads PostgreSQL's own estimate for the whole table; the admin's second count (the
  "N total" next to a filtered count) is off;
- search on what staff search: a reference exactly (portal/admin_actions.py, before this), then the words as
  one phrase in the table's own columns (trigram-indexed, portal/migrations and each app's) or in the
  customer's username, name, email and postcode: the customers are found first, through accounts' trigram
  indexes, and the list filtered by their ids, so no query joins the whole table to every customer;
- `DistinctValuesFilter`: a list filter over a column's values (kinds of message) read by a skip scan of its
  index, not a DISTINCT over every row;
- no date hierarchy on a big table (its DISTINCT DATE_TRUNC over every row and MIN/MAX scan the table on
  every page): Django's DateFieldListFilter instead (today, past 7 days, this month, this year), ranges on
  the column's index.
The indexes behind the default orderings and filters are in each app's models (Meta.indexes).
"""

from functools import cached_property

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q

# A filtered list counts up to this many rows; beyond, the page says "or more" (admin/pagination.html).
COUNT_CAP = 1000
# A search matching more customers than this is too vague to list them all: their first ones by id count.
CUSTOMER_MATCH_CAP = 5000
CUSTOMER_SEARCH_FIELDS = ("username", "full_name", "email", "postcode", "company_name")


def table_estimate(model, using="default"):
    """PostgreSQL's estimate of a table's rows (kept by ANALYZE and autovacuum), or None elsewhere."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None


class CappedCountPaginator(Paginator):
    """Counts what a page needs: at most COUNT_CAP + 1 rows. Beyond, an unfiltered list shows PostgreSQL's
    estimate of the table and a filtered one the cap (templates/admin/pagination.html: "about", "or more")."""

    capped = False  # more rows than counted: the page says "or more"
    estimated = False  # the table's estimate: the page says "about"

    @cached_property
    def count(self):
        queryset = self.object_list
        counted = queryset.order_by()[: COUNT_CAP + 1].count()  # stops at the cap: an index range, never the table
        if counted <= COUNT_CAP:
            return counted
        if not queryset.query.where and not queryset.query.distinct:
            estimate = table_estimate(queryset.model, queryset.db)
            if estimate is not None and estimate > COUNT_CAP:
                self.estimated = True
                return estimate
        self.capped = True
        return COUNT_CAP


class BigTableChangeList(ChangeList):
    """Django's changelist, except that a list of one page keeps its LIMIT. Django reads such a list whole
    (it knows from the count that it is short), and without a LIMIT PostgreSQL plans for its estimate of the
    rows, not the count: for a filter it cannot estimate ("done late": one column after another, a third of
    the table by its rule) it joins the whole customer table to find no row. The same rows, with the LIMIT
    the planner can use."""

    def get_results(self, request):
        super().get_results(request)
        if not self.list_editable and not self.result_list.query.is_sliced:
            self.result_list = self.result_list[: self.list_max_show_all if self.show_all else self.list_per_page]


class BigTableAdmin:
    """The admin of a table that grows with every customer and month (see the module's docstring)."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    # Rendering a row (its checkbox, links, coloured cells) costs more than reading it: half Django's 100 rows a
    # page halves a list's time; staff find a case by searching or filtering, not by paging.
    list_per_page = 50
    customer_path = "customer"  # the lookup from this model to its customer; None when it has none

    def get_changelist(self, request, **kwargs):
        return BigTableChangeList

    def get_search_results(self, request, queryset, search_term):
        term = " ".join(search_term.split())
        if not term:
            return queryset, False
        match = Q()
        customer_prefix = f"{self.customer_path}__" if self.customer_path else None
        by_customer = False
        for field in self.get_search_fields(request):
            if customer_prefix and field.startswith(customer_prefix):
                by_customer = True  # searched once, through the customers, below
                continue
            match |= Q(**{f"{field.lstrip('^=@')}__icontains": term})
        if by_customer:
            customers = self.customers_matching(term)
            if customers:
                match |= Q(**{f"{self.customer_path}__in": customers})
        if not match:
            return queryset.none(), False
        return queryset.filter(match), False

    @staticmethod
    def customers_matching(term):
        """Ids of the customers whose username, name, email or postcode contain the phrase."""
        from django.contrib.auth import get_user_model

        match = Q()
        for field in CUSTOMER_SEARCH_FIELDS:
            match |= Q(**{f"{field}__icontains": term})
        customers = get_user_model().objects.filter(match).order_by("pk").values_list("pk", flat=True)
        return list(customers[:CUSTOMER_MATCH_CAP])


class DistinctValuesFilter(admin.SimpleListFilter):
    """A filter over the values a column holds, read from its index one value at a time (PostgreSQL: a
    recursive query that jumps from each value to the next), so a million rows cost a few dozen index reads.
    Subclass with `title` and `parameter_name` (the column)."""

    def lookups(self, request, model_admin):
        model = model_admin.model
        field = model._meta.get_field(self.parameter_name)
        connection = connections[model_admin.get_queryset(request).db]
        if connection.vendor == "postgresql":
            table, column = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(field.column)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"WITH RECURSIVE v(value) AS ((SELECT {column} FROM {table} ORDER BY 1 LIMIT 1) UNION ALL "
                    f"SELECT (SELECT {column} FROM {table} WHERE {column} > v.value ORDER BY 1 LIMIT 1) FROM v "
                    f"WHERE v.value IS NOT NULL) SELECT value FROM v WHERE value IS NOT NULL"
                )
                values = [row[0] for row in cursor.fetchall()]
        else:
            values = model._default_manager.order_by(field.name).values_list(field.name, flat=True).distinct()
        return [(value, value) for value in values]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.parameter_name: self.value()})
        return queryset


def distinct_values_filter(column, title):
    return type(f"{column.title()}Filter", (DistinctValuesFilter,), {"parameter_name": column, "title": title})
