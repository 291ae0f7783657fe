"""Seed the programme: benefits of the four tiers and the referral and birthday templates."""

from decimal import Decimal

from django.db import migrations

BENEFITS = [
    # tier, points multiplier, discount %, free rental days a year, priority repair
    ("standard", "1.00", "0", 0, False),
    ("silver", "1.20", "2", 3, False),
    ("gold", "1.50", "5", 7, True),
    ("diamond", "2.00", "8", 15, True),
]
TEMPLATES = [
    # code, name, kind, amount off, min spend, valid days, per-customer limit
    ("referral-500", "推荐有礼 500 元工具券", "amount_off", "500.00", "0", 90, 1),
    ("birthday-50", "生日礼 满 200 减 50", "amount_off", "50.00", "200.00", 30, 100),
]


def seed(apps, schema_editor):
    TierBenefit = apps.get_model("loyalty", "TierBenefit")
    CouponTemplate = apps.get_model("loyalty", "CouponTemplate")
    for tier, multiplier, discount, rental_days, priority in BENEFITS:
        TierBenefit.objects.get_or_create(
            tier=tier,
            defaults={
                "points_multiplier": Decimal(multiplier),
                "discount_percent": Decimal(discount),
                "free_rental_days": rental_days,
                "has_priority_repair": priority,
            },
        )
    for code, name, kind, amount, min_spend, days, limit in TEMPLATES:
        CouponTemplate.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "amount_off": Decimal(amount),
                "min_spend": Decimal(min_spend),
                "valid_days": days,
                "per_customer_limit": limit,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
