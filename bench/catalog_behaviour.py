"""Does recording behaviour slow the product page? Measures, in one process on PostgreSQL:

* the time until the product page's response is ready to send, and
* the time until the deferred writes (browsing history + behaviour event, one transaction,
  run on ``request_finished`` after the WSGI server has sent the response) are done,

for returning guests viewing random products; then the cost of writing 10,000 events one
INSERT at a time versus in batches. Prints figures; never fails on timing.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DB_URL = os.environ.get("BENCH_BEHAVIOUR_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zizhu_behaviour_bench")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "zizhu.config.settings",
        "DATABASE_URL": DB_URL,
        "REDIS_URL": os.environ.get("BENCH_BEHAVIOUR_REDIS_URL", "redis://127.0.0.1:6379/10"),
        "LOG_LEVEL": "WARNING",
    }
)
sys.path.insert(0, str(REPO / "src"))


def prepare() -> None:
    name = DB_URL.rsplit("/", 1)[1]
    admin_url = DB_URL.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO, check=True)
    subprocess.run([*manage, "seed_catalog", "--no-images", "--no-announce"], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


def main() -> None:
    prepare()
    import django

    django.setup()
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from zizhu.catalog.models import BehaviourEvent, Product

    slugs = list(Product.objects.values_list("slug", flat=True))
    sessions = []
    for index in range(50):
        session = SessionStore()
        session["catalog_guest_key"] = f"bench-guest-{index:03d}"
        session.create()
        sessions.append(session.session_key)
    app = WSGIHandler()
    factory = RequestFactory()
    rng = random.Random(5)

    def view(slug: str, session_key: str) -> tuple[float, float, int]:
        environ = factory._base_environ(  # the environ a WSGI server would pass
            PATH_INFO=f"/p/{slug}/", REQUEST_METHOD="GET", HTTP_COOKIE=f"sessionid={session_key}"
        )
        started = time.perf_counter()
        response = app(environ, lambda status, headers: None)
        body = b"".join(response)
        ready = time.perf_counter()
        with CaptureQueriesContext(connection) as deferred:
            response.close()  # the server calls close() after sending: request_finished fires here
        done = time.perf_counter()
        assert body and b"<h1" in body
        return ready - started, done - ready, sum(1 for q in deferred.captured_queries if "INSERT" in q["sql"])

    for _ in range(50):  # warm the caches and the connection
        view(rng.choice(slugs), rng.choice(sessions))
    events_before = BehaviourEvent.objects.count()
    ready_times, deferred_times, inserts = [], [], []
    for _ in range(1000):
        ready, deferred, insert_count = view(rng.choice(slugs), rng.choice(sessions))
        ready_times.append(ready)
        deferred_times.append(deferred)
        inserts.append(insert_count)
    written = BehaviourEvent.objects.count() - events_before
    print("product page, 1,000 views by 50 returning guests (one process, PostgreSQL)")
    print(f"  response ready to send:        p50 {percentile(ready_times, 0.5):6.2f} ms   "
          f"p99 {percentile(ready_times, 0.99):6.2f} ms")  # fmt: skip
    print(f"  deferred writes after it:      p50 {percentile(deferred_times, 0.5):6.2f} ms   "
          f"p99 {percentile(deferred_times, 0.99):6.2f} ms   (the customer does not wait for these)")  # fmt: skip
    together = [a + b for a, b in zip(ready_times, deferred_times, strict=True)]
    print(f"  if written before responding:  p50 {percentile(together, 0.5):6.2f} ms")
    print(f"  behaviour events written: {written} for 1,000 views; INSERT statements per view: "
          f"{statistics.mean(inserts):.2f} (history insert on a first view + one bulk event insert)")  # fmt: skip

    product_ids = list(Product.objects.values_list("pk", flat=True)[:500])
    events = [
        BehaviourEvent(session_key="bench", product_id=rng.choice(product_ids), event_type="view", context={})
        for _ in range(10_000)
    ]
    started = time.perf_counter()
    for event in events[:2000]:
        BehaviourEvent.objects.create(
            session_key=event.session_key, product_id=event.product_id, event_type="view", context={}
        )
    one_by_one = 2000 / (time.perf_counter() - started)
    started = time.perf_counter()
    BehaviourEvent.objects.bulk_create(events, batch_size=500)
    batched = 10_000 / (time.perf_counter() - started)
    print(f"\nwriting events: one INSERT each {one_by_one:,.0f}/s; bulk_create in batches of 500 {batched:,.0f}/s")


if __name__ == "__main__":
    main()
