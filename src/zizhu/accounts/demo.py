"""Demo accounts: a customer, the shop owner (superuser) and one staff member per role
(password from ZIZHU_DEMO_PASSWORD), to try masking, roles and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from rich.progress import Progress

from zizhu.accounts.models import User
from zizhu.accounts.roles import ROLES, sync_roles
from zizhu.core.demo import DEMO_CUSTOMER_EMAIL, DEMO_STAFF_EMAIL

ROLE_DEMO_NAMES = {
    "customer_service": "客服小张",
    "warehouse": "仓管老陈",
    "merchandiser": "运营小林",
    "finance": "财务小周",
    "admin": "管理员小赵",
}


def role_demo_email(role: str) -> str:
    return f"{role.replace('_', '-')}@zizhu.local"


def seed(progress: Progress | None = None) -> None:
    password = settings.ZIZHU_DEMO_PASSWORD
    if not User.objects.filter(email=DEMO_CUSTOMER_EMAIL).exists():
        User.objects.create_user(DEMO_CUSTOMER_EMAIL, password, display_name="王小明", phone="+8613800138000")
    if not User.objects.filter(email=DEMO_STAFF_EMAIL).exists():
        # The shop owner: a superuser (sees and may do everything; still audited).
        User.objects.create_superuser(DEMO_STAFF_EMAIL, password, display_name="李店长")
    sync_roles()
    for role in ROLES:
        email = role_demo_email(role)
        if not User.objects.filter(email=email).exists():
            member = User.objects.create_user(email, password, display_name=ROLE_DEMO_NAMES[role], is_staff=True)
            member.groups.add(Group.objects.get(name=role))
