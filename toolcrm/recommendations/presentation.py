"""Small helpers for showing a list outside the staff screens: the customer's name masked for
paper, and the store printed at the top of it."""

from __future__ import annotations

from typing import Any

from toolcrm.customers.models import Customer
from toolcrm.stores.models import Store


def masked_name(customer: Customer) -> str:
    """A person's surname and a star per further character (王建国 → 王**), since a printed
    list can be left on the counter; a company's registered name is not personal data."""
    if customer.is_company:
        return customer.name
    name = customer.name.strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def print_store(user: Any, customer: Customer) -> Store:
    """The store whose header a printed list carries: the clerk's own, else the customer's."""
    store: Store | None = getattr(user, "store", None)
    return store if store is not None else customer.home_store
