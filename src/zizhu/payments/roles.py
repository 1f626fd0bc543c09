"""Payments' part of the staff roles (merged by zizhu.accounts.roles.sync_roles)."""

_REVIEW = ["payments.view_riskassessment", "payments.review_payment"]
# A customer's 小额免密 setting: seen, and switched off on request (only the customer switches it on).
_PASSWORD_FREE = ["payments.view_passwordfreepayment", "payments.switch_off_passwordfreepayment"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Refunds are money decisions: finance makes them; customer service can look a payment up.
    # Both review payments held by the risk score (approve = capture, reject = void and cancel).
    # Saved cards: brand, last 4 and expiry only (the admin never shows the gateway token).
    "finance": [
        "payments.view_payment",
        "payments.view_refund",
        "payments.add_refund",
        "payments.view_savedcard",
        *_PASSWORD_FREE,
        *_REVIEW,
    ],
    "customer_service": [
        "payments.view_payment",
        "payments.view_refund",
        "payments.view_savedcard",
        *_PASSWORD_FREE,
        *_REVIEW,
    ],
    "admin": [
        "payments.view_payment",
        "payments.view_refund",
        "payments.view_riskassessment",
        "payments.view_savedcard",
        "payments.view_passwordfreepayment",
    ],
}
