"""The set-based full rebuild (PostgreSQL) writes exactly what the chunk-by-chunk indexer writes."""

from __future__ import annotations

import pytest
from django.db import connection

from zizhu.catalog import demo
from zizhu.search import bulk, services
from zizhu.search.models import SearchEntry
from zizhu.search.selectors import ProductFilters, list_products

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Every derived table, without generated ids (facet sets are compared by their digest).
SNAPSHOT = {
    "entries": "SELECT e.product_id, e.slug, e.name_zh, e.name_en, e.brand_id, e.category_id, e.price, e.currency, "
    "e.in_stock, e.sales_count, e.boost, e.created_at, e.level0, e.level1, e.level2, e.level3, e.facet_keys::text, "
    "s.digest FROM search_searchentry e LEFT JOIN search_searchfacetset s ON s.id = e.facet_set_id",
    "documents": "SELECT d.entry_id, d.name_text, d.brand_text, d.category_text, d.body_text, "
    "d.search_vector::text, d.name_vector::text, d.brand_id, d.price, d.in_stock, d.sales_count, d.boost, "
    "d.created_at, d.level0, d.level1, d.level2, d.level3, s.digest FROM search_searchdocument d "
    "LEFT JOIN search_searchfacetset s ON s.id = d.facet_set_id",
    "facet_sets": "SELECT digest, keys::text FROM search_searchfacetset",
    "links": "SELECT entry_id, category_id, depth FROM search_searchcategorylink",
    "facets": "SELECT entry_id, attribute, value, name_zh, name_en FROM search_searchfacetvalue",
    "facet_names": "SELECT attribute, value, name_zh, name_en FROM search_searchfacetname",
    "suggestions": "SELECT key, kind, target, label_zh, label_en, weight, entry_id FROM search_searchsuggestion",
    "terms": "SELECT term, display, weight FROM search_searchterm",
    "variants": "SELECT v.variant, t.term FROM search_searchtermvariant v JOIN search_searchterm t ON t.id = v.term_id",
}


def snapshot() -> dict[str, list[tuple]]:
    with connection.cursor() as cursor:
        tables = {}
        for name, sql in SNAPSHOT.items():
            cursor.execute(sql)
            tables[name] = sorted(cursor.fetchall(), key=repr)
    return tables


@pytest.mark.parametrize("jobs", [1, 2])
def test_bulk_rebuild_writes_what_the_incremental_indexer_writes(jobs):
    demo.generate(scale=1, images=False, announce=False)  # 507 products: two chunks, a configurator
    services.rebuild_index(bulk=False)
    expected = snapshot()
    assert len(expected["entries"]) > 500 and expected["suggestions"] and expected["variants"]
    assert bulk.rebuild(jobs=jobs) == len(expected["entries"])
    found = snapshot()
    for table, rows in expected.items():
        assert found[table] == rows, table


def test_bulk_rebuild_replaces_a_stale_index_and_search_works():
    demo.generate(scale=1, images=False, announce=False)
    services.rebuild_index()  # PostgreSQL: the bulk path
    phone = SearchEntry.objects.filter(name_zh__contains="手机").order_by("product_id").first()
    SearchEntry.objects.filter(pk=phone.pk).update(name_zh="stale", price=0)
    assert services.rebuild_index() == SearchEntry.objects.count()
    assert SearchEntry.objects.get(pk=phone.pk).name_zh != "stale"
    listing = list_products(filters=ProductFilters(q="shouji"), page_size=60)
    assert listing.total > 0 and listing.facets["brands"]
    # the facet-set sequence continues after the copied ids: an incremental write still works
    services.index_products(product_ids=[phone.pk])
