"""Deterministic, realistic demo data (``manage.py load_demo``): stores, staff, catalog, customers,
two years of orders. Sits above every domain app; nothing imports it."""
