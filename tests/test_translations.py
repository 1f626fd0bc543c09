"""Every app's Chinese catalogue is complete, and the committed .mo files match the .po files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "zizhu"
CATALOGUES = sorted(SRC.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
needs_msgfmt = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")


def test_every_app_with_templates_or_models_has_a_chinese_catalogue():
    apps = {p.parent.name for p in SRC.glob("*/apps.py")}
    with_catalogue = {p.parts[-5] for p in CATALOGUES}
    assert apps <= with_catalogue, f"apps without zh_Hans translations: {sorted(apps - with_catalogue)}"


@needs_msgfmt
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_fully_translated(po):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@needs_msgfmt
@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_committed_mo_matches_po(po):
    compiled = subprocess.run(["msgfmt", "-o", "-", str(po)], capture_output=True, check=True).stdout
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.read_bytes() == compiled, f"run `make messages` and commit {mo}"
