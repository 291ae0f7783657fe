"""Orders and order lines from every channel, payments, serial numbers and returns."""
