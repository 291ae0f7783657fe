"""The one "may we market to this customer on this channel" rule: opt-in, latest event wins,
per channel, and only the marketing purpose counts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import CustomerFactory
from toolcrm.customers import services
from toolcrm.customers.selectors import marketing_channels, may_market_to

pytestmark = pytest.mark.django_db


def _consent(user: Any, customer: Any, channel: str, purpose: str, granted: bool) -> None:
    services.record_consent(
        user=user,
        customer=customer,
        channel=channel,
        purpose=purpose,
        is_granted=granted,
        source="门店登记",
    )


def test_no_record_means_no_marketing(store_a):
    customer = CustomerFactory(home_store=store_a)

    assert marketing_channels(customer=customer) == frozenset()
    assert may_market_to(customer=customer, channel="sms") is False


def test_latest_event_per_channel_decides_and_only_marketing_counts(store_a, clerk):
    customer = CustomerFactory(home_store=store_a)
    _consent(clerk, customer, "sms", "marketing", True)
    _consent(clerk, customer, "wechat", "marketing", True)
    _consent(clerk, customer, "wechat", "marketing", False)
    _consent(clerk, customer, "email", "service", True)
    _consent(clerk, customer, "phone", "marketing", False)
    _consent(clerk, customer, "phone", "marketing", True)

    assert marketing_channels(customer=customer) == {"sms", "phone"}
    assert may_market_to(customer=customer, channel="sms") is True
    assert may_market_to(customer=customer, channel="wechat") is False
    assert may_market_to(customer=customer, channel="email") is False
    assert may_market_to(customer=customer, channel="phone") is True
