"""Every write of the loyalty app, split by sub-domain: ``accounts`` (accounts and tiers),
``points`` (the ledger), ``coupons`` (issue and redeem), ``programme`` (order processing,
referrals, pooling, birthdays, merges)."""
