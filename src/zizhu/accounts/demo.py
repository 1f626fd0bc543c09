"""Demo accounts: a customer and a staff member (password from ZIZHU_DEMO_PASSWORD)."""

from __future__ import annotations

from django.conf import settings
from rich.progress import Progress

from zizhu.accounts.models import User
from zizhu.core.demo import DEMO_CUSTOMER_EMAIL, DEMO_STAFF_EMAIL


def seed(progress: Progress | None = None) -> None:
    password = settings.ZIZHU_DEMO_PASSWORD
    if not User.objects.filter(email=DEMO_CUSTOMER_EMAIL).exists():
        User.objects.create_user(DEMO_CUSTOMER_EMAIL, password, display_name="王小明", phone="+8613800138000")
    if not User.objects.filter(email=DEMO_STAFF_EMAIL).exists():
        # Until staff roles exist (issue #5) the demo staff member is a back-office superuser.
        User.objects.create_superuser(DEMO_STAFF_EMAIL, password, display_name="李店长")
