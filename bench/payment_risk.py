"""Payment risk scoring: what one assessment costs at the pay step (queries and time), for customers
with short and long histories in a payments table of realistic size. Production profile
(PostgreSQL, Redis) on a database of its own. Prints figures; never fails on timing.

    python bench/payment_risk.py [--payments 100000] [--runs 200]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django, fresh_database, manage, production_env

DB_URL = os.environ.get("BENCH_RISK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zizhu_risk_bench")
REDIS_URL = os.environ.get("BENCH_RISK_REDIS_URL", "redis://127.0.0.1:6379/5")

SCRIPT = """
import random, statistics, time
from datetime import timedelta
from decimal import Decimal
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from zizhu.accounts.models import User
from zizhu.payments.models import Payment
from zizhu.payments.risk import assess, context
from zizhu.payments.risk.context import RequestInfo
from zizhu.payments.risk.models import RiskAssessment

TOTAL, RUNS = {total}, {runs}
context.register("B", lambda reference, customer: context.PaymentContext(
    province="上海市", address_key="new", known_address_keys=frozenset({{"home"}})))
now = timezone.now()
users = [User(email=f"risk{{i}}@bench.example", display_name="b") for i in range(1000)]
User.objects.bulk_create(users, batch_size=1000)
users = list(User.objects.filter(email__endswith="@bench.example").order_by("pk"))
heavy, light = users[0], users[1]
rows = []
for i in range(TOTAL):
    owner = heavy if i % 100 == 0 else random.choice(users[2:])
    status = random.choice(["succeeded"] * 8 + ["failed", "cancelled"])
    amount = Decimal(random.randint(20, 900))
    rows.append(Payment(reference=f"B{{i}}", amount=amount, customer=owner, status=status,
                        captured_amount=amount if status == "succeeded" else 0,
                        created_at=now - timedelta(minutes=random.randint(1, 60 * 24 * 365))))
Payment.objects.bulk_create(rows, batch_size=5000)
paid = list(Payment.objects.filter(status="succeeded").values_list("pk", "customer_id")[: TOTAL // 2])
RiskAssessment.objects.bulk_create(
    [RiskAssessment(payment_id=pk, customer_id=cid, score=0, decision="allow", device_key=f"d{{cid % 300}}")
     for pk, cid in paid], batch_size=5000)
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
history = {{u.pk: Payment.objects.filter(customer=u).count() for u in (heavy, light)}}

def measure(user):
    times, queries = [], []
    for i in range(RUNS):
        reference = f"BX{{getattr(user, 'pk', 0)}}-{{i}}"
        payment = Payment.objects.create(reference=reference, amount=Decimal("2500.00"), customer=user)
        info = RequestInfo(ip="202.96.130.7", user_agent=f"Bench/{{i % 7}}")
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            assess.assess(payment=payment, request=info)
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(ctx.captured_queries))
        payment.delete()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], max(queries)

for label, user in (("customer with %d payments" % history[heavy.pk], heavy),
                    ("customer with %d payments" % history[light.pk], light), ("guest", None)):
    p50, p99, q = measure(user)
    print(f"{{label:32}} p50 {{p50:6.2f}} ms  p99 {{p99:6.2f}} ms  queries {{q}}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zizhu-risk-bench-") as var_dir:
        env = production_env(var_dir, database_url=DB_URL, redis_url=REDIS_URL)
        fresh_database(DB_URL)
        manage(env, "migrate", "--no-input", quiet=True)
        print(f"payments table: {args.payments:,} rows, 1,000 customers; {args.runs} assessments each")
        print(django(env, SCRIPT.format(total=args.payments, runs=args.runs)), end="")


if __name__ == "__main__":
    main()
