"""Provisional customers: the customer an incoming order creates when its buyer is unknown.

Shared by the order importer and the batch API (``integrations.api``), so that both mark such a
customer the same way: in the order's store, with the order's channel as source and a note saying
it awaits identity resolution (``integrations.identity`` pairs it with any customer holding the
same phone, for review and merge)."""

from __future__ import annotations

from typing import Any

from toolcrm.customers import services as customer_services
from toolcrm.customers.choices import SourceChannel
from toolcrm.customers.models import Customer
from toolcrm.stores.models import Store

# Stored data, not UI text: the note is read by staff reviewing duplicates.
PROVISIONAL_NOTE = "临时客户：订单 %(channel)s/%(external_id)s 到达时客户未知，自动建档，待身份核对"
_SOURCE_OF_CHANNEL: dict[str, str] = {
    "pos": SourceChannel.STORE,
    "ecommerce": SourceChannel.ECOMMERCE,
    "miniprogram": SourceChannel.MINIPROGRAM,
}


def create_provisional_customer(
    *, user: Any, phone: str, name: str, store: Store | None, channel: str, external_id: str
) -> Customer:
    """Create the provisional customer for an order from ``channel`` with this phone.

    Callers have looked for a customer *visible to the user* with this phone first. A phone held
    by a customer outside the user's scope still gets its own provisional customer: answering
    "taken" would reveal that the other store's customer exists. The duplicate scan then proposes
    the pair for merging."""
    data = provisional_customer_data(
        phone=phone, name=name, store=store, channel=channel, external_id=external_id
    )
    return customer_services.create_customer(user=user, data=data, allow_duplicate_phone=True)


def provisional_customer_data(
    *, phone: str, name: str, store: Store | None, channel: str, external_id: str
) -> dict[str, Any]:
    """The fields of a provisional customer (also written set-based by ``bulk_orders``)."""
    return {
        "name": name.strip()[:100] or f"临时客户{phone[-4:]}",
        "phone": phone,
        "home_store": store,
        "source_channel": _SOURCE_OF_CHANNEL.get(channel, SourceChannel.STORE),
        "notes": PROVISIONAL_NOTE % {"channel": channel, "external_id": external_id},
    }
