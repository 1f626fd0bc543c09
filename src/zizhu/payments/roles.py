"""Payments' part of the staff roles (merged by zizhu.accounts.roles.sync_roles)."""

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Refunds are money decisions: finance makes them; customer service can look a payment up.
    "finance": ["payments.view_payment", "payments.view_refund", "payments.add_refund"],
    "customer_service": ["payments.view_payment", "payments.view_refund"],
    "admin": ["payments.view_payment", "payments.view_refund"],
}
