"""Loyalty: member tiers, the points ledger, coupons, referrals, pooled company points."""
