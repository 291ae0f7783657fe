"""Customers (people and companies), company contacts, consents, interactions."""
