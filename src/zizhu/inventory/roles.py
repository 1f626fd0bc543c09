"""Inventory's part of the staff roles (merged by zizhu.accounts.roles.sync_roles)."""

_SEE_STOCK = ["inventory.view_warehouse", "inventory.view_stock", "inventory.view_stockmovement"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "warehouse": _SEE_STOCK,
    # Sets how many of a product one order may hold.
    "merchandiser": [
        *_SEE_STOCK,
        "inventory.view_purchaselimit",
        "inventory.add_purchaselimit",
        "inventory.change_purchaselimit",
        "inventory.delete_purchaselimit",
    ],
    "admin": [*_SEE_STOCK, "inventory.view_purchaselimit"],
}
