"""Demo data: each app may contribute a seeder (listed in DEMO_SEEDERS, run in order)."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from rich.progress import Progress

DEMO_SEEDERS = [
    "zizhu.accounts.demo.seed",
    "zizhu.catalog.demo.seed",
    "zizhu.inventory.demo.seed",  # a default warehouse holding the catalogue's demo stock
    "zizhu.checkout.demo.seed",  # 满300减30 and the vouchers WELCOME10, FREESHIP
    "zizhu.search.demo.seed",  # indexes the catalogue loaded just before
]
DEMO_CUSTOMER_EMAIL = "demo@zizhu.local"
DEMO_STAFF_EMAIL = "staff@zizhu.local"


def has_demo_data() -> bool:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.exists()


def demo_credentials() -> list[tuple[str, str, str]]:
    password = settings.ZIZHU_DEMO_PASSWORD
    return [("customer", DEMO_CUSTOMER_EMAIL, password), ("staff", DEMO_STAFF_EMAIL, password)]


def run_seeders() -> None:
    with Progress() as progress:
        task = progress.add_task("Loading demo data", total=len(DEMO_SEEDERS))
        for dotted_path in DEMO_SEEDERS:
            progress.update(task, description=f"Loading {dotted_path.rsplit('.', 2)[-2]}")
            import_string(dotted_path)(progress)
            progress.advance(task)
