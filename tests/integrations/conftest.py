"""Fixtures for the import tests: uploads stored in a temporary MEDIA_ROOT, small chunks so that
a few rows span several transactions, and a catalogue the order and stock files refer to."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.factories import CategoryFactory, ProductFactory

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def _media_and_chunks(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_CHUNK_SIZE = 3


@pytest.fixture
def catalogue(db):  # type: ignore[no-untyped-def]
    category = CategoryFactory(code="DRILL", name="电钻")
    return {
        "DR-100": ProductFactory(sku="DR-100", price=Decimal("599.00"), category=category),
        "TM-5M": ProductFactory(
            sku="TM-5M", price=Decimal("29.90"), is_power_tool=False, category=category
        ),
        "BT-18V": ProductFactory(sku="BT-18V", price=Decimal("299.00"), category=category),
    }
