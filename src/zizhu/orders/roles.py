"""Orders' part of the staff roles (merged by zizhu.accounts.roles.sync_roles)."""

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Picks, packs and ships: moves paid orders through fulfilment (name and e-mail masked).
    "warehouse": ["orders.view_order", "orders.fulfil_order"],
    # Helps customers with their orders: sees them (unmasked, audited) and cancels before shipping.
    "customer_service": ["orders.view_order", "orders.cancel_order"],
    # Reconciles money: sees orders (masked); refunds are made on the payment.
    "finance": ["orders.view_order"],
    "admin": ["orders.view_order", "orders.fulfil_order", "orders.cancel_order"],
}
