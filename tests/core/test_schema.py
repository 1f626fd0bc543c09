"""The migrated database has every index and constraint the models declare.

Django's AlterField, when a column's ``db_index`` goes away on PostgreSQL, drops every b-tree index
on exactly that column that is not in ``Meta.indexes`` — partial unique constraints included (it
silently dropped ``cart_one_open_per_guest`` once). This compares the models with the database."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def _our_models():
    return [m for m in apps.get_models() if m.__module__.startswith("zizhu.") and m._meta.managed]


def test_every_declared_index_and_constraint_exists():
    missing = []
    with connection.cursor() as cursor:
        for model in _our_models():
            existing = connection.introspection.get_constraints(cursor, model._meta.db_table)
            for item in [*model._meta.indexes, *model._meta.constraints]:
                if item.name not in existing:
                    missing.append(f"{model._meta.db_table}.{item.name}")
    assert missing == []


def test_the_one_open_cart_rules_hold_in_the_database():
    from django.db import IntegrityError, transaction

    from zizhu.cart.models import Cart

    Cart.objects.create(guest_key="guest-a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Cart.objects.create(guest_key="guest-a")
    Cart.objects.create(guest_key="guest-a", status=Cart.Status.ORDERED)  # ordered carts may be many


def test_models_and_migrations_agree():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # SystemExit(1) when one is missing
