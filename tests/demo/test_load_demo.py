"""``load_demo`` on an empty database: logins for every role, the reference data, customers and
two years of orders whose amounts, payments, serial numbers and returns are consistent, data of
today for every store, encrypted and searchable phones, and ``--if-empty``."""

from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO

import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Min, Q, Sum
from django.test import Client
from django.utils import timezone

from tests.demo.conftest import DEMO_CUSTOMERS, DEMO_SEED
from tests.demo.generated import generate, people
from toolcrm.accounts.models import User
from toolcrm.catalog.models import Brand, Category, Product
from toolcrm.core.pii import normalise_phone
from toolcrm.core.roles import Role
from toolcrm.customers.models import CompanyContact, Consent, Customer, Interaction
from toolcrm.customers.selectors import search_customers
from toolcrm.demo.generators.duplicates import PLANTED_NOTE
from toolcrm.demo.generators.identifiers import is_valid_credit_code, is_valid_ean13
from toolcrm.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from toolcrm.integrations.models import MatchCandidate
from toolcrm.sales.models import Order, OrderLine, Payment, Return, ReturnLine, SerialNumber
from toolcrm.stores.models import Region, StockLevel, Store

ZERO = Decimal("0.00")


def test_output_reports_every_phase_with_counts_and_time(demo) -> None:  # type: ignore[no-untyped-def]
    lines = demo.splitlines()

    assert lines[0] == f"加载演示数据：{DEMO_CUSTOMERS} 位客户，随机种子 7"
    assert len([line for line in lines if re.search(r"\d+\.\d s ", line)]) == 11
    for phase in ("会员、积分与优惠券", "工具租借", "客户洞察", "客户标签", "推荐规则"):
        assert phase in demo
    assert re.search(r"重复客户样例 .*疑似重复客户 \d+", demo)
    assert "客户 120" in demo
    assert re.search(r"客户洞察 .*客户评分 \d+", demo)
    assert lines[-1].startswith("演示数据已加载，用时")


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=lambda login: login.username)
def test_every_demo_login_signs_in_and_reaches_the_home_page(demo, login) -> None:  # type: ignore[no-untyped-def]
    client = Client()

    response = client.post(
        "/accounts/login/", {"username": login.username, "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert home.context["user"].username == login.username


def test_logins_cover_every_role_with_the_scope_each_role_needs(demo) -> None:  # type: ignore[no-untyped-def]
    users = {
        u.username: u for u in User.objects.filter(username__in=[x.username for x in DEMO_LOGINS])
    }

    assert {users[login.username].role for login in DEMO_LOGINS} == set(Role.values)
    for login in DEMO_LOGINS:
        user = users[login.username]
        assert user.display_name == login.display_name
        assert user.is_staff == user.is_superuser == (login.role == Role.ADMIN)
        assert (user.store.code if user.store else "") == login.store_code
        assert (user.region.code if user.region else "") == login.region_code
    assert users["clerk_sh"].store_id != users["clerk_gz"].store_id
    other_staff = User.objects.exclude(username__in=users)
    assert other_staff.count() >= 5 * Store.objects.count()
    assert not any(user.has_usable_password() for user in other_staff)


def test_regions_stores_and_staff_are_real_places(demo) -> None:  # type: ignore[no-untyped-def]
    assert sorted(Region.objects.values_list("name", flat=True)) == ["华东区", "华南区"]
    stores = list(Store.objects.all())
    assert len(stores) >= 6
    assert {"上海市", "杭州市", "苏州市", "南京市", "广州市", "深圳市", "佛山市"} <= {
        store.city for store in stores
    }
    for store in stores:
        assert re.fullmatch(r"\d{6}", store.adcode)
        assert 18 < store.latitude < 35 and 110 < store.longitude < 123
        assert store.phone and store.opening_hours and store.address
        roles = Counter(store.staff.values_list("role", flat=True))
        assert roles[Role.STORE_MANAGER] == 1 and roles[Role.TECHNICIAN] == 1
        assert roles[Role.CLERK] >= 3


def test_catalog_has_a_category_tree_brands_and_hundreds_of_products(demo) -> None:  # type: ignore[no-untyped-def]
    leaves = Category.objects.filter(parent__isnull=False, children__isnull=True)
    assert leaves.count() >= 20
    assert not Category.objects.filter(name_en="").exists()
    assert {"博世", "牧田", "得伟", "东成", "史丹利", "世达", "大艺", "威克士", "米沃奇"} <= set(
        Brand.objects.values_list("name", flat=True)
    )
    products = list(Product.objects.all())
    assert len(products) >= 400
    assert all(is_valid_ean13(p.barcode) for p in products)
    assert len({p.barcode for p in products}) == len(products)
    for product in products:
        assert ZERO < product.cost < product.price
        if product.is_power_tool:
            assert 12 <= product.warranty_months <= 24
            assert product.maintenance_interval_days
        elif product.category.parent.code == "HT":
            assert 0 <= product.warranty_months <= 12
    assert Product.objects.filter(is_consumable=True).count() > 100
    drill = Product.objects.get(name="GSB 18V-50 锂电冲击钻", spec="18V 2.0Ah×2")
    assert {a.category.code for a in drill.accessories.all()} == {"CS-BITS", "BT-PACK"}


def test_every_product_is_stocked_in_every_store_some_sold_out(demo) -> None:  # type: ignore[no-untyped-def]
    assert StockLevel.objects.count() == Product.objects.count() * Store.objects.count()
    assert StockLevel.objects.filter(quantity=0).exists()
    assert StockLevel.objects.filter(quantity__gt=0).count() > StockLevel.objects.count() * 0.8


def test_customers_are_people_and_companies_with_valid_identities(demo) -> None:  # type: ignore[no-untyped-def]
    customers = list(Customer.objects.exclude(notes=PLANTED_NOTE))
    assert len(customers) == DEMO_CUSTOMERS
    companies = [c for c in customers if c.kind == "company"]
    assert len(companies) >= DEMO_CUSTOMERS * 0.075
    phones = [c.phone for c in customers]
    assert len(set(phones)) == len(phones)
    for customer in customers:
        assert normalise_phone(customer.phone) == customer.phone
        assert customer.province and customer.city and customer.district
        if customer.member_card_no:
            assert re.fullmatch(r"M\d{10}", customer.member_card_no)
    people = [c for c in customers if c.kind == "person"]
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", p.name) for p in people)
    assert all(phonenumbers.parse(p.phone).national_number // 10**8 in _MOBILE for p in people)
    assert sum(1 for p in people if p.member_card_no) > len(people) * 0.7
    for company in companies:
        assert is_valid_credit_code(company.credit_code)
        assert company.company_type
        assert 2 <= company.contacts.count() <= 3
        assert company.contacts.filter(is_primary=True).count() == 1
    b2b = User.objects.get(username="b2b")
    assert Customer.objects.filter(account_manager=b2b, kind="company").exists()


_MOBILE = set(range(130, 140)) | set(range(150, 160)) | set(range(170, 200))


def test_consents_are_events_some_withdrawn_and_interactions_have_staff(demo) -> None:  # type: ignore[no-untyped-def]
    assert Consent.objects.filter(is_granted=False).exists()
    withdrawn = (
        Consent.objects.values("customer", "channel", "purpose")
        .annotate(kinds=Count("is_granted", distinct=True))
        .filter(kinds=2)
    )
    assert withdrawn.exists()
    assert Interaction.objects.count() > DEMO_CUSTOMERS / 2
    assert not Interaction.objects.filter(Q(staff__isnull=True) | Q(store__isnull=True)).exists()
    assert set(Interaction.objects.values_list("kind", flat=True)) == {
        "visit", "call", "consultation", "complaint", "note"
    }  # fmt: skip


def test_orders_come_from_every_channel_over_two_years(demo) -> None:  # type: ignore[no-untyped-def]
    assert set(Order.objects.values_list("channel", flat=True)) == {
        "pos", "ecommerce", "miniprogram", "b2b"
    }  # fmt: skip
    span = Order.objects.aggregate(first=Min("ordered_at"), last=Max("ordered_at"))
    assert span["last"] <= timezone.now()
    assert span["last"] - span["first"] >= timedelta(days=700)
    assert not Order.objects.filter(channel="b2b", customer__kind="person").exists()
    walk_ins = Order.objects.filter(customer__isnull=True)
    assert walk_ins.exists() and not walk_ins.exclude(channel="pos").exists()
    assert not Order.objects.filter(channel="pos", staff__isnull=True).exists()
    pos_ids = Order.objects.filter(channel="pos").values_list("external_id", flat=True)
    # A loan converted to a purchase is a POS sale with the rental agreement's id.
    assert all(re.fullmatch(r"POS-[A-Z]{2}\d{2}-\d{8}-\d{6}|RENTAL-\d+", x) for x in pos_ids)
    generated = Customer.objects.exclude(notes=PLANTED_NOTE)
    assert generated.filter(orders__isnull=True).count() == 0
    first_orders = generated.annotate(first=Min("orders__ordered_at"))
    assert not first_orders.exclude(created_at=F("first")).exists()


def test_every_store_has_orders_today_and_recent_interactions(demo) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    start = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time()))
    for store in Store.objects.all():
        today_orders = store.orders.filter(ordered_at__gte=start)
        assert today_orders.count() >= 3, store.code
        assert today_orders.filter(customer__isnull=False).exists()
        recent = store.interactions.filter(occurred_at__gte=start - timedelta(days=3))
        assert recent.count() >= 2


def test_order_amounts_add_up_and_payments_match(demo) -> None:  # type: ignore[no-untyped-def]
    lines: dict[int, list[OrderLine]] = defaultdict(list)
    for line in OrderLine.objects.all():
        lines[line.order_id].append(line)
    paid = dict(
        Payment.objects.values_list("order")
        .annotate(total=Sum("amount"))
        .values_list("order", "total")
    )
    orders = list(Order.objects.all())
    for order in orders:
        its = lines[order.pk]
        assert 1 <= len(its) <= 6
        assert all(li.line_total == li.unit_price * li.quantity - li.discount for li in its)
        assert order.subtotal == sum((li.unit_price * li.quantity for li in its), ZERO)
        assert order.discount_total == sum((li.discount for li in its), ZERO)
        assert order.total == order.subtotal - order.discount_total > ZERO
        assert paid[order.pk] == order.total
    assert any(order.discount_total for order in orders)
    methods = set(Payment.objects.values_list("method", flat=True))
    assert {"wechat_pay", "alipay", "cash", "bank_card", "account_credit"} <= methods


def test_every_power_tool_unit_sold_has_a_serial_number(demo) -> None:  # type: ignore[no-untyped-def]
    serials = Counter(SerialNumber.objects.values_list("line_id", flat=True))
    power_lines = OrderLine.objects.filter(product__is_power_tool=True)
    assert power_lines.exists()
    assert all(serials[line.pk] == line.quantity for line in power_lines)
    other_lines = OrderLine.objects.filter(product__is_power_tool=False).values_list(
        "pk", flat=True
    )
    assert not set(other_lines) & set(serials)
    assert not SerialNumber.objects.exclude(product=F("line__product")).exists()


def test_returns_refund_what_was_returned_and_set_the_order_status(demo) -> None:  # type: ignore[no-untyped-def]
    returns = list(Return.objects.prefetch_related("lines__line"))
    assert returns
    for record in returns:
        items = list(record.lines.all())
        assert record.refund_amount == sum((item.amount for item in items), ZERO)
        assert all(item.quantity <= item.line.quantity for item in items)
        assert record.returned_at > record.order.ordered_at
        assert record.order.status in {"returned", "partially_returned"}
    assert not Order.objects.filter(status__in=["returned", "partially_returned"], returns=None)
    returned_units = ReturnLine.objects.filter(line__product__is_power_tool=True).aggregate(
        units=Sum("quantity")
    )["units"]
    assert SerialNumber.objects.filter(is_returned=True).count() == (returned_units or 0)


def test_phones_are_encrypted_at_rest_and_found_by_search(demo) -> None:  # type: ignore[no-untyped-def]
    customer = Customer.objects.filter(kind="person").order_by("pk").first()
    national = customer.phone.removeprefix("+86")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM customers_customer WHERE id = %s", [customer.pk])
        (raw,) = cursor.fetchone()
    assert raw.startswith("enc:v1:")
    assert national not in raw and national[-4:] not in raw
    admin = User.objects.get(username="admin")

    result = search_customers(user=admin, query=f"{national[:3]} {national[3:7]} {national[7:]}")

    assert result.kind == "phone"
    assert [c.pk for c in result.customers] == [customer.pk]
    assert search_customers(user=admin, query=customer.member_card_no or "").customers


def test_if_empty_on_a_loaded_database_adds_nothing(demo) -> None:  # type: ignore[no-untyped-def]
    before = (Customer.objects.count(), Order.objects.count(), User.objects.count())
    out = StringIO()

    call_command("load_demo", if_empty=True, stdout=out)

    assert "已有客户" in out.getvalue()
    assert (Customer.objects.count(), Order.objects.count(), User.objects.count()) == before


def test_loading_into_a_database_with_data_is_refused(demo) -> None:  # type: ignore[no-untyped-def]
    before = Customer.objects.count()

    with pytest.raises(CommandError, match=r"manage\.py flush"):
        call_command("load_demo", customers=50, stdout=StringIO())

    assert Customer.objects.count() == before
    assert CompanyContact.objects.exists()


def test_load_demo_writes_exactly_the_generated_people(demo) -> None:  # type: ignore[no-untyped-def]
    generated = people(generate(seed=DEMO_SEED, now=timezone.now()))

    loaded = list(
        Customer.objects.exclude(notes=PLANTED_NOTE)
        .order_by("pk")
        .values_list("name", "phone", "member_card_no")
    )

    assert loaded == generated


def test_planted_duplicates_wait_in_the_review_queue(demo) -> None:  # type: ignore[no-untyped-def]
    planted = list(Customer.objects.filter(notes=PLANTED_NOTE))
    open_pairs = MatchCandidate.objects.filter(status="open")

    assert len(planted) >= 2
    for copy in planted:
        assert open_pairs.filter(Q(customer=copy) | Q(other=copy)).exists(), copy.name
    family = [c for c in planted if Customer.objects.filter(phone_index=c.phone_index).count() > 1]
    assert family, "a family member registered on the same phone"
    assert not Customer.objects.filter(is_active=False).exists()  # nothing merged automatically


def test_every_store_has_a_rental_fleet_with_history_overdue_loans_and_a_converted_trial(
    demo,
) -> None:  # type: ignore[no-untyped-def]
    from toolcrm.rentals.choices import AgreementStatus
    from toolcrm.rentals.models import RentalAgreement, RentalUnit
    from toolcrm.rentals.services import compute_charges

    assert set(RentalUnit.objects.values_list("home_store", flat=True)) == set(
        Store.objects.values_list("pk", flat=True)
    )
    agreements = RentalAgreement.objects.all()
    assert 80 <= agreements.count() <= 140
    statuses = Counter(agreements.values_list("status", flat=True))
    assert statuses[AgreementStatus.OVERDUE] >= 1 and statuses[AgreementStatus.OPEN] >= 1
    converted = agreements.get(status=AgreementStatus.CONVERTED, kind="trial")
    assert converted.converted_order is not None
    assert converted.unit.status == "sold"
    for unit in RentalUnit.objects.filter(status="lent"):
        assert unit.agreements.filter(status__in=["open", "overdue"]).count() == 1
    for agreement in agreements.filter(status=AgreementStatus.RETURNED):
        charges = compute_charges(
            kind=agreement.kind,
            started_on=timezone.localdate(agreement.started_at),
            due_on=agreement.due_on,
            returned_on=timezone.localdate(agreement.returned_at),
            daily_rate=agreement.daily_rate,
            deposit=agreement.deposit_amount,
            damage_charge=agreement.damage_charge,
        )
        assert (agreement.rental_charge, agreement.deposit_refund) == (
            charges.rental_charge,
            charges.deposit_refund,
        )


def test_demo_defines_rule_tags_and_computes_every_tag(demo) -> None:  # type: ignore[no-untyped-def]
    from toolcrm.tags.models import CustomerTag, TagDefinition
    from toolcrm.tags.services import recompute_all_tags

    rule_names = set(TagDefinition.objects.filter(kind="rule").values_list("name", flat=True))
    assert {"工程客户", "价格敏感型"} <= rule_names and len(rule_names) == 7
    assert re.search(r"客户标签 .*客户标签 \d+", demo)
    assert CustomerTag.objects.filter(tag__system_code="diy").exists()
    assert CustomerTag.objects.filter(tag__name="价格敏感型").exists()
    again = recompute_all_tags()
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)


def test_key_accounts_are_construction_firms_at_vip_level_and_their_managers_were_told(
    demo,
) -> None:  # type: ignore[no-untyped-def]
    from toolcrm.core.models import Notification
    from toolcrm.insights.conf import thresholds
    from toolcrm.insights.models import CustomerScore

    year_ago = timezone.now() - timedelta(days=364)
    vips = list(CustomerScore.objects.filter(is_vip=True).select_related("customer"))

    assert vips
    for score in vips:
        company = score.customer
        assert (company.kind, company.company_type) == ("company", "construction_crew")
        assert score.rolling_spend_12m >= thresholds().vip_threshold
        orders = company.orders.filter(ordered_at__gte=year_ago)
        # Many ordinary site orders, not one absurd one.
        assert orders.count() >= 24
        biggest = orders.aggregate(biggest=Max("total"))["biggest"]
        assert biggest < thresholds().vip_threshold / 5
        assert orders.filter(channel="b2b").count() > orders.count() * 0.8
        notices = Notification.objects.filter(key__startswith=f"insights.vip:{company.pk}:")
        assert list(notices.values_list("recipient", flat=True)) == [company.account_manager_id]
        assert company.name in notices.get().title
    assert Notification.objects.filter(
        recipient__username="b2b", key__startswith="insights.vip:"
    ).exists()


def test_project_companies_buy_power_tools_and_consumables_every_month(demo) -> None:  # type: ignore[no-untyped-def]
    from toolcrm.insights.models import CustomerScore
    from toolcrm.tags.models import CustomerTag

    members = set(
        CustomerTag.objects.filter(tag__name="工程客户").values_list("customer", flat=True)
    )
    vips = set(CustomerScore.objects.filter(is_vip=True).values_list("customer", flat=True))

    assert len(members) >= 2
    assert vips <= members  # the key accounts order for their sites every month too
    assert not Customer.objects.filter(pk__in=members).exclude(kind="company").exists()
    # Checked here without the rule engine: in each of the last three months, counted back from
    # tomorrow (26 Nov → 27 Oct–26 Nov, 27 Sep–26 Oct, 27 Aug–26 Sep), a power tool and a
    # consumable bought by every member.
    tomorrow = timezone.localdate() + timedelta(days=1)
    starts = [_months_before(tomorrow, months) for months in range(4)]
    bought: defaultdict[int, set[tuple[int, str]]] = defaultdict(set)
    lines = OrderLine.objects.filter(
        order__customer__in=members, order__ordered_at__gte=_midnight(starts[3])
    ).exclude(order__status__in=["returned", "cancelled"])
    for customer, ordered_at, group in lines.values_list(
        "order__customer", "order__ordered_at", "product__category__parent__code"
    ):
        day = timezone.localdate(ordered_at)
        month = next(m for m in range(3) if starts[m + 1] <= day < starts[m])
        bought[customer].add((month, group))
    for customer in members:
        assert {(m, g) for m in range(3) for g in ("PT", "CS")} <= bought[customer], customer


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
