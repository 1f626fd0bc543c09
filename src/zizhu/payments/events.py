"""Events the payments app emits (through the outbox, in the same transaction as the change).

Payments never import what they pay for: an order (or anything else) is named by the
payment's ``reference`` string, and its app reacts to these topics with its own handlers.

* ``payment.succeeded``  — ``{"number", "reference", "amount", "currency", "method", "customer_id"}``
* ``payment.failed``     — ``{"number", "reference", "amount", "currency", "failure_code"}``
* ``payment.cancelled``  — ``{"number", "reference", "amount", "currency"}``
* ``payment.flagged``    — ``{"number", "reference", "reason"}`` (e.g. the provider reported another amount)
* ``payment.refunded``   — ``{"number", "reference", "amount", "currency", "refund", "refunded_total",
  "fully_refunded"}``

Amounts are strings with two decimals, as in the API.
"""

PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"
PAYMENT_CANCELLED = "payment.cancelled"
PAYMENT_FLAGGED = "payment.flagged"
PAYMENT_REFUNDED = "payment.refunded"
