"""`manage.py sandbox_payment`: make a payment to try the sandbox gateway by hand (no order needed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from zizhu.core.money import Money
from zizhu.payments import access, services


class Command(BaseCommand):
    help = "Create a guest payment and print a signed link to its pay page (valid 24 hours)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--amount", default="199.00")
        parser.add_argument("--currency", default="CNY")
        parser.add_argument("--reference", default="DEMO")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: object, **options: object) -> None:
        payment = services.create_payment(
            reference=str(options["reference"]), amount=Money.of(str(options["amount"]), str(options["currency"]))
        )
        link = str(options["base_url"]).rstrip("/") + access.pay_link(payment.number)
        self.stdout.write(f"Payment {payment.number} for {payment.money}: {link}")
