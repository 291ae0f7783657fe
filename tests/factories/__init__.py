"""factory_boy factories for ToolCRM tests (one module, grouped by app)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from toolcrm.accounts.models import User
from toolcrm.catalog.models import Brand, Category, Product
from toolcrm.core.roles import Role
from toolcrm.customers.models import CompanyContact, Consent, Customer, Interaction
from toolcrm.sales.models import Order, OrderLine, SerialNumber
from toolcrm.stores.models import Region, StockLevel, Store

_phone_counter = itertools.count(10000000)


def next_mobile() -> str:
    """A unique, valid Chinese mobile in E.164 (+86 138 xxxx xxxx)."""
    return f"+86138{next(_phone_counter):08d}"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n:02d}")
    name = factory.Sequence(lambda n: f"区域{n}")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"测试门店{n}")
    region = factory.SubFactory(RegionFactory)
    province = "上海市"
    city = "上海市"
    district = "浦东新区"
    address = "张杨路 500 号"
    latitude = Decimal("31.230000")
    longitude = Decimal("121.470000")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"员工{n}")
    role = Role.CLERK
    store = factory.LazyAttribute(
        lambda o: (
            StoreFactory() if o.role in {Role.CLERK, Role.STORE_MANAGER, Role.TECHNICIAN} else None
        )
    )
    region = factory.LazyAttribute(
        lambda o: RegionFactory() if o.role == Role.REGIONAL_MANAGER else None
    )
    password = factory.PostGenerationMethodCall("set_password", "test-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"品类{n}")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"品牌{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU{n:05d}")
    name = factory.Sequence(lambda n: f"电钻{n}")
    spec = "18V 无刷"
    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    price = Decimal("599.00")
    cost = Decimal("400.00")
    is_power_tool = True
    warranty_months = 12


class StockLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLevel

    store = factory.SubFactory(StoreFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 5


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"张{n}")
    phone = factory.LazyFunction(next_mobile)
    member_card_no = factory.Sequence(lambda n: f"M{n:09d}")
    home_store = factory.SubFactory(StoreFactory)


class CompanyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyContact

    company = factory.SubFactory(CustomerFactory, kind="company")
    name = "李经理"
    phone = factory.LazyFunction(next_mobile)


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    kind = "visit"
    summary = "到店咨询电钻"
    store = factory.SelfAttribute("customer.home_store")
    occurred_at = factory.LazyFunction(timezone.now)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    customer = factory.SubFactory(CustomerFactory)
    channel = "sms"
    purpose = "marketing"
    is_granted = True
    source = "门店登记"
    recorded_at = factory.LazyFunction(timezone.now)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    channel = "pos"
    external_id = factory.Sequence(lambda n: f"POS{n:08d}")
    customer = factory.SubFactory(CustomerFactory)
    store = factory.SelfAttribute("customer.home_store")
    ordered_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    subtotal = Decimal("599.00")
    discount_total = Decimal("0.00")
    total = Decimal("599.00")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    quantity = 1
    unit_price = Decimal("599.00")
    line_total = Decimal("599.00")


class SerialNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SerialNumber

    line = factory.SubFactory(OrderLineFactory)
    product = factory.SelfAttribute("line.product")
    serial = factory.Sequence(lambda n: f"SN{n:010d}")
