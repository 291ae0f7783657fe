"""Generators of the demo data, one module per phase of ``load_demo`` (reference data, catalog,
customers, order history) plus the pure helpers they share (identifiers, seasons, bulk writing).

Every generator draws from a ``random.Random`` it is given, never from the global one, so a seed
reproduces the same data set.
"""
