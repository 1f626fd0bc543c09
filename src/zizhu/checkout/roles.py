"""Checkout's part of the staff roles (merged by zizhu.accounts.roles.sync_roles)."""

_PROMOTIONS = [f"checkout.{verb}_{model}" for model in ("voucher", "promotion") for verb in ("add", "change", "view")]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Runs vouchers and automatic promotions (满300减30); a used voucher is switched off, not deleted.
    "merchandiser": [*_PROMOTIONS, "checkout.view_voucherredemption"],
    # Sees what discounts cost.
    "finance": ["checkout.view_voucher", "checkout.view_promotion", "checkout.view_voucherredemption"],
    "admin": [*_PROMOTIONS, "checkout.view_voucherredemption"],
}
