"""The rental actions: lend, extend, return, convert, cancel, settle, unit status, overdue
marking. Each rule is checked with what is written, and rejected input writes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import CustomerFactory
from tests.rentals.conftest import backdate
from toolcrm.core.roles import Role
from toolcrm.rentals import services
from toolcrm.rentals.choices import AgreementStatus, UnitStatus
from toolcrm.rentals.models import RentalAgreement, RentalUnit
from toolcrm.sales.models import Order, SerialNumber

pytestmark = pytest.mark.django_db


def events(name: str) -> list[LogEntry]:
    return list(LogEntry.objects.filter(additional_data__event=name))


def assert_nothing_written(unit: RentalUnit) -> None:
    assert RentalAgreement.objects.count() == 0
    unit.refresh_from_db()
    assert unit.status == UnitStatus.AVAILABLE
    assert events("rental_lend") == []


# --- lend -----------------------------------------------------------------------------------


def test_lend_records_the_loan_marks_the_unit_lent_and_audits(lend_now, unit_a, clerk, today):
    agreement = lend_now()

    assert agreement.status == AgreementStatus.OPEN
    assert agreement.store_id == unit_a.home_store_id
    assert agreement.daily_rate == Decimal("45.00")
    assert agreement.deposit_amount == Decimal("500.00")
    assert agreement.due_on == agreement.original_due_on == today + timedelta(days=3)
    assert agreement.lent_by == clerk
    unit_a.refresh_from_db()
    assert unit_a.status == UnitStatus.LENT
    [entry] = events("rental_lend")
    assert entry.actor == clerk
    assert entry.additional_data["unit"] == "SH01-R-001"


def test_the_same_unit_cannot_be_lent_twice(lend_now, store_a):
    first = lend_now()
    other = CustomerFactory(home_store=store_a)
    with pytest.raises(ValidationError) as error:
        lend_now(customer_id=other.pk)

    assert "unit_id" in error.value.message_dict
    assert list(RentalAgreement.objects.values_list("pk", flat=True)) == [first.pk]


def test_the_database_refuses_a_second_outstanding_loan_of_a_unit(lend_now, unit_a):
    """If the unit's status were stale (a concurrent lend), the partial unique constraint
    still stops the second loan, and the service reports it on the unit field."""
    first = lend_now()
    RentalUnit.objects.filter(pk=unit_a.pk).update(status=UnitStatus.AVAILABLE)
    with pytest.raises(ValidationError) as error:
        lend_now()
    assert error.value.message_dict["unit_id"] == ["该工具刚刚已被借出。"]
    assert list(RentalAgreement.objects.values_list("pk", flat=True)) == [first.pk]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deposit_amount": Decimal("449.99")}, "deposit_amount"),
        ({"deposit_amount": "abc"}, "deposit_amount"),
        ({"deposit_amount": Decimal("-1")}, "deposit_amount"),
        ({"deposit_method": "iou"}, "deposit_method"),
        ({"kind": "gift"}, "kind"),
        ({"due_on": None}, "due_on"),
        ({"note": "x" * 201}, "note"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(lend_now, unit_a, overrides, field):
    with pytest.raises(ValidationError) as error:
        lend_now(**overrides)
    assert field in error.value.message_dict
    assert_nothing_written(unit_a)


@pytest.mark.parametrize(
    ("days", "ok"), [(0, False), (-1, False), (1, True), (30, True), (31, False)]
)
def test_due_date_must_be_in_the_future_and_within_the_longest_loan(
    lend_now, unit_a, today, days, ok
):
    if ok:
        assert lend_now(due_on=today + timedelta(days=days)).pk
    else:
        with pytest.raises(ValidationError) as error:
            lend_now(due_on=today + timedelta(days=days))
        assert "due_on" in error.value.message_dict
        assert_nothing_written(unit_a)


def test_a_trial_is_at_most_seven_days_and_one_at_a_time(lend_now, washer_unit, today):
    with pytest.raises(ValidationError) as error:
        lend_now(kind="trial", due_on=today + timedelta(days=8))
    assert "due_on" in error.value.message_dict
    lend_now(kind="trial", due_on=today + timedelta(days=7))
    with pytest.raises(ValidationError) as error:
        lend_now(kind="trial", unit_id=washer_unit.pk, deposit_amount=Decimal("1000.00"))
    assert "customer_id" in error.value.message_dict


def test_deposit_minimum_comes_from_the_products_rental_price(lend_now, washer_unit):
    with pytest.raises(ValidationError) as error:
        lend_now(unit_id=washer_unit.pk, deposit_amount=Decimal("999.99"))
    assert error.value.message_dict["deposit_amount"] == ["押金不能低于 ¥1,000.00。"]
    assert lend_now(unit_id=washer_unit.pk, deposit_amount=Decimal("1000.00")).daily_rate == (
        Decimal("60.00")
    )


def test_unit_and_customer_outside_the_users_scope_are_refused(
    lend_now, unit_a, unit_south, customer_south
):
    with pytest.raises(ValidationError) as error:
        lend_now(unit_id=unit_south.pk)
    assert "unit_id" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        lend_now(customer_id=customer_south.pk)
    assert "customer_id" in error.value.message_dict
    assert_nothing_written(unit_a)


def test_a_unit_in_maintenance_cannot_be_lent(lend_now, unit_a):
    RentalUnit.objects.filter(pk=unit_a.pk).update(status=UnitStatus.MAINTENANCE)
    with pytest.raises(ValidationError) as error:
        lend_now()
    assert error.value.message_dict["unit_id"] == ["该工具当前不可出借（维修保养）。"]


def test_a_customer_with_an_overdue_loan_is_blocked(lend_now, washer_unit):
    backdate(lend_now(), days=5)  # due two days ago
    with pytest.raises(ValidationError) as error:
        lend_now(unit_id=washer_unit.pk, deposit_amount=Decimal("1000.00"))
    assert "customer_id" in error.value.message_dict


def test_an_unpaid_balance_blocks_until_settled(lend_now, clerk, unit_a):
    agreement = lend_now()
    services.return_unit(
        user=clerk, agreement_id=agreement.pk, condition="good", damage_charge=Decimal("600")
    )
    agreement.refresh_from_db()
    assert agreement.amount_owed == Decimal("145.00")  # 45 rent + 600 damage − 500 deposit
    with pytest.raises(ValidationError):
        lend_now()
    services.settle_balance(user=clerk, agreement_id=agreement.pk)
    assert lend_now().pk
    with pytest.raises(ValidationError):
        services.settle_balance(user=clerk, agreement_id=agreement.pk)


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.HQ_MARKETING])
def test_roles_without_the_capability_cannot_lend(make_user, lend_now, unit_a, role):
    with pytest.raises(PermissionDenied):
        lend_now(user=make_user(role))
    assert_nothing_written(unit_a)


# --- return ---------------------------------------------------------------------------------


def test_return_on_time_charges_rent_and_refunds_the_rest(lend_now, clerk, unit_a):
    agreement = backdate(lend_now(), days=3)  # due today
    returned = services.return_unit(user=clerk, agreement_id=agreement.pk, condition="good")

    assert returned.status == AgreementStatus.RETURNED
    assert returned.rental_charge == Decimal("135.00")
    assert returned.late_fee == Decimal("0.00")
    assert returned.deposit_refund == Decimal("365.00")
    assert returned.received_by == clerk
    unit_a.refresh_from_db()
    assert unit_a.status == UnitStatus.AVAILABLE
    [entry] = events("rental_return")
    assert entry.additional_data["deposit_refund"] == "365.00"


def test_a_late_damaged_return_sends_the_unit_to_maintenance(lend_now, clerk, unit_a):
    agreement = backdate(lend_now(), days=5)  # 2 days late
    returned = services.return_unit(
        user=clerk, agreement_id=agreement.pk, condition="damaged", damage_charge="80.00"
    )
    assert returned.rental_charge == Decimal("225.00")
    assert returned.late_fee == Decimal("45.00")
    assert returned.damage_charge == Decimal("80.00")
    assert returned.deposit_refund == Decimal("150.00")
    unit_a.refresh_from_db()
    assert (unit_a.status, unit_a.condition) == (UnitStatus.MAINTENANCE, "damaged")


def test_a_loan_cannot_be_returned_twice_or_with_bad_input(lend_now, clerk):
    agreement = lend_now()
    with pytest.raises(ValidationError):
        services.return_unit(user=clerk, agreement_id=agreement.pk, condition="shiny")
    with pytest.raises(ValidationError):
        services.return_unit(
            user=clerk, agreement_id=agreement.pk, condition="good", damage_charge="-5"
        )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OPEN
    services.return_unit(user=clerk, agreement_id=agreement.pk, condition="good")
    with pytest.raises(ValidationError):
        services.return_unit(user=clerk, agreement_id=agreement.pk, condition="good")
    assert len(events("rental_return")) == 1


def test_only_the_lending_stores_staff_can_act(lend_now, make_user, store_b):
    agreement = lend_now()
    other_store_clerk = make_user(Role.CLERK, store=store_b)
    with pytest.raises(ValidationError):
        services.return_unit(user=other_store_clerk, agreement_id=agreement.pk, condition="good")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OPEN


# --- extend, cancel, overdue ----------------------------------------------------------------


def test_extend_moves_the_due_date_and_reopens_an_overdue_loan(lend_now, clerk, today):
    agreement = backdate(lend_now(), days=5)
    assert services.mark_overdue() == [agreement.pk]
    extended = services.extend(
        user=clerk, agreement_id=agreement.pk, due_on=today + timedelta(days=2)
    )
    assert extended.status == AgreementStatus.OPEN
    assert extended.due_on == today + timedelta(days=2)
    assert extended.original_due_on == today - timedelta(days=2)
    assert len(events("rental_extend")) == 1


def test_extend_refuses_an_earlier_or_too_distant_date(lend_now, clerk, today):
    agreement = lend_now()
    for due in (today + timedelta(days=2), today + timedelta(days=31), today):
        with pytest.raises(ValidationError):
            services.extend(user=clerk, agreement_id=agreement.pk, due_on=due)
    agreement.refresh_from_db()
    assert agreement.due_on == today + timedelta(days=3)


def test_cancel_only_on_the_day_of_lending_with_a_reason(lend_now, clerk, unit_a):
    agreement = lend_now()
    with pytest.raises(ValidationError):
        services.cancel(user=clerk, agreement_id=agreement.pk, reason="  ")
    cancelled = services.cancel(user=clerk, agreement_id=agreement.pk, reason="选错工具")
    assert cancelled.status == AgreementStatus.CANCELLED
    assert cancelled.deposit_refund == Decimal("500.00")
    assert cancelled.total_charges == Decimal("0")
    unit_a.refresh_from_db()
    assert unit_a.status == UnitStatus.AVAILABLE

    later = backdate(lend_now(), days=1)
    with pytest.raises(ValidationError):
        services.cancel(user=clerk, agreement_id=later.pk, reason="忘了")


def test_overdue_marking_is_idempotent(lend_now, washer_unit, store_a):
    late = backdate(lend_now(), days=4)  # due yesterday
    other = CustomerFactory(home_store=store_a)
    on_time = lend_now(
        customer_id=other.pk, unit_id=washer_unit.pk, deposit_amount=Decimal("1000.00")
    )

    assert services.mark_overdue() == [late.pk]
    assert services.mark_overdue() == []
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert (late.status, on_time.status) == (AgreementStatus.OVERDUE, AgreementStatus.OPEN)
    assert len(events("rental_overdue")) == 1


# --- convert --------------------------------------------------------------------------------


def test_convert_creates_one_order_with_the_rent_credited(lend_now, clerk, unit_a, customer):
    agreement = backdate(lend_now(), days=2)  # 2 days used: ¥90 rent
    converted = services.convert_to_purchase(
        user=clerk, agreement_id=agreement.pk, payment_method="wechat_pay"
    )

    assert converted.status == AgreementStatus.CONVERTED
    order = converted.converted_order
    assert order is not None
    assert (order.customer_id, order.store_id) == (customer.pk, unit_a.home_store_id)
    assert order.external_id == f"RENTAL-{agreement.pk}"
    assert order.subtotal == Decimal("900.00")
    assert order.discount_total == Decimal("90.00")
    assert order.total == Decimal("810.00")
    assert converted.rental_charge == Decimal("90.00")
    assert converted.deposit_refund == Decimal("410.00")
    assert SerialNumber.objects.filter(serial="GBH0001", line__order=order).exists()
    assert list(order.payments.values_list("method", "amount")) == [
        ("wechat_pay", Decimal("810.00"))
    ]
    unit_a.refresh_from_db()
    assert unit_a.status == UnitStatus.SOLD

    with pytest.raises(ValidationError):
        services.convert_to_purchase(user=clerk, agreement_id=agreement.pk)
    assert Order.objects.count() == 1
    assert len(events("rental_convert")) == 1


def test_a_sold_unit_cannot_be_lent_or_set_available(lend_now, clerk, unit_a):
    agreement = lend_now()
    services.convert_to_purchase(user=clerk, agreement_id=agreement.pk)
    with pytest.raises(ValidationError):
        services.set_unit_status(user=clerk, unit_id=unit_a.pk, status="available")
    with pytest.raises(ValidationError):
        lend_now()


def test_unit_status_changes_by_hand(clerk, unit_a, unit_south):
    services.set_unit_status(user=clerk, unit_id=unit_a.pk, status="maintenance")
    unit_a.refresh_from_db()
    assert unit_a.status == UnitStatus.MAINTENANCE
    with pytest.raises(ValidationError):
        services.set_unit_status(user=clerk, unit_id=unit_a.pk, status="lent")
    with pytest.raises(ValidationError):
        services.set_unit_status(user=clerk, unit_id=unit_south.pk, status="maintenance")
    services.set_unit_status(user=clerk, unit_id=unit_a.pk, status="retired")
    with pytest.raises(ValidationError):
        services.set_unit_status(user=clerk, unit_id=unit_a.pk, status="available")


def test_convert_with_an_unknown_payment_method_writes_nothing(lend_now, clerk, unit_a):
    agreement = lend_now()
    with pytest.raises(ValidationError) as error:
        services.convert_to_purchase(user=clerk, agreement_id=agreement.pk, payment_method="iou")
    assert "payment_method" in error.value.message_dict
    agreement.refresh_from_db()
    unit_a.refresh_from_db()
    assert (agreement.status, unit_a.status) == (AgreementStatus.OPEN, UnitStatus.LENT)
    assert Order.objects.count() == 0


def test_convert_needs_the_order_capability_of_the_user(lend_now, unit_a, make_user):
    """A regional manager converts in any store of the region; the order is booked in the
    lending store, not the manager's."""
    agreement = lend_now()
    manager = make_user(Role.REGIONAL_MANAGER)
    converted = services.convert_to_purchase(user=manager, agreement_id=agreement.pk)
    assert converted.converted_order is not None
    assert converted.converted_order.store_id == unit_a.home_store_id
    assert converted.converted_order.staff == manager


def test_add_unit_puts_a_tool_into_the_users_store(clerk, hammer, store_a):
    unit = services.add_unit(
        user=clerk, sku=" BSH-GBH226 ", asset_tag="sh01-r-009", serial="X1", store_id=store_a.pk
    )
    assert (unit.asset_tag, unit.status, unit.condition) == ("SH01-R-009", "available", "new")
    assert unit.home_store == store_a
    assert len(events("rental_unit_add")) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sku": "NOPE"}, "sku"),
        ({"asset_tag": "SH01-R-001"}, "asset_tag"),
        ({"asset_tag": ""}, "asset_tag"),
        ({"condition": "damaged"}, "condition"),
        ({"store_id": None}, "store_id"),
    ],
)
def test_add_unit_refuses_bad_input(clerk, hammer, store_a, unit_a, overrides, field):
    values = {"sku": "BSH-GBH226", "asset_tag": "SH01-R-010", "store_id": store_a.pk}
    values.update(overrides)
    with pytest.raises(ValidationError) as error:
        services.add_unit(user=clerk, **values)
    assert field in error.value.message_dict
    assert RentalUnit.objects.count() == 1


def test_add_unit_refuses_another_regions_store(clerk, hammer, store_south):
    with pytest.raises(ValidationError) as error:
        services.add_unit(user=clerk, sku="BSH-GBH226", asset_tag="T1", store_id=store_south.pk)
    assert "store_id" in error.value.message_dict
    assert not RentalUnit.objects.exists()


# --- member tier benefit: free rental days per year -----------------------------------------


def test_a_silver_member_uses_the_tiers_free_days_once_per_year(lend_now, clerk, customer):
    from toolcrm.loyalty.models import LoyaltyAccount, TierBenefit

    LoyaltyAccount.objects.create(customer=customer, tier="silver", referral_code="RENTSILVER01")
    allowance = TierBenefit.objects.get(tier="silver").free_rental_days
    assert allowance > 0, "the seeded silver tier has free rental days"

    first = backdate(lend_now(), days=3)
    first = services.return_unit(user=clerk, agreement_id=first.pk, condition="good")
    assert first.free_days == min(allowance, 3)
    assert first.rental_charge == Decimal("45.00") * (3 - first.free_days)

    second = backdate(lend_now(), days=3)
    second = services.return_unit(user=clerk, agreement_id=second.pk, condition="good")
    assert second.free_days == min(3, allowance - first.free_days)
    assert services.free_days_left(customer_id=customer.pk, year=second.returned_at.year) == max(
        0, allowance - first.free_days - second.free_days
    )


def test_a_standard_member_has_no_free_days(lend_now, clerk, customer):
    agreement = backdate(lend_now(), days=3)
    returned = services.return_unit(user=clerk, agreement_id=agreement.pk, condition="good")
    assert returned.free_days == 0
    assert returned.rental_charge == Decimal("135.00")
