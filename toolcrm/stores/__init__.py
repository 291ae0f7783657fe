"""Regions, stores (with coordinates and opening hours) and stock levels per store."""
