"""Data integration: reading the files that stores and web shops export (CSV and Excel, in the
encodings and formats Chinese retail software really writes), normalising their values and
addresses, and — to come — the importers, identity resolution and the inbound POS/e-commerce API."""
