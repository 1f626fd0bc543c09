"""Payments sit below orders and checkout (DESIGN.md §3): they never import them; and the shop's
side reaches the sandbox gateway only through the provider adapter and the gateway's URLs."""

from __future__ import annotations

import ast
from pathlib import Path

PAYMENTS = Path(__file__).resolve().parents[2] / "src" / "zizhu" / "payments"
ABOVE = ("zizhu.orders", "zizhu.checkout", "zizhu.fulfillment", "zizhu.aftersales", "zizhu.storefront")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_payments_never_import_the_apps_above_them():
    for path in PAYMENTS.rglob("*.py"):
        bad = [name for name in imports_of(path) if name.startswith(ABOVE)]
        assert not bad, f"{path.relative_to(PAYMENTS)} imports {bad}"


def test_the_gateway_does_not_know_the_shop():
    for path in (PAYMENTS / "sandbox_gateway").rglob("*.py"):
        shop = [n for n in imports_of(path) if n.startswith("zizhu.payments") and "sandbox_gateway" not in n]
        assert not shop, f"the gateway's {path.name} imports the shop's {shop}"


def test_the_shop_reaches_the_gateway_only_through_the_adapter():
    allowed = {"providers/sandbox.py", "models.py", "tasks.py"}  # models: the gateway's tables live in this app
    for path in PAYMENTS.glob("**/*.py"):
        relative = str(path.relative_to(PAYMENTS))
        if relative.startswith(("sandbox_gateway/", "migrations/")) or relative in allowed:
            continue
        gateway = [n for n in imports_of(path) if "sandbox_gateway" in n]
        assert not gateway, f"{relative} imports {gateway}"
