"""Fraud scoring at the pay step (DESIGN.md §4 "Risk"), kept apart from the payment flow itself.

* ``scoring``  — the explainable signals, their weights (``settings.ZIZHU_RISK_WEIGHTS``) and the score.
* ``context``  — what the thing being paid for (an order) tells about itself: delivery province,
  address fingerprint, the guest's contact. Apps above payments register a provider by reference prefix.
* ``places``   — offline IP → province table (no look-up service).
* ``services`` — assess once per payment, the second-factor challenge, the staff review decisions.
* ``selectors``, ``views``, ``admin`` — the faces.
"""
