"""Product list page: who may open it, filters, stock of the user's stores, query count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import BrandFactory, CategoryFactory, ProductFactory, StockLevelFactory
from toolcrm.core.roles import Role


@pytest.fixture
def products(store_a, store_b):  # type: ignore[no-untyped-def]
    drills = CategoryFactory(code="POWER", name="电动工具")
    discs = CategoryFactory(code="CONSUMABLE", name="耗材")
    bosch = BrandFactory(name="博世", name_en="Bosch")
    drill = ProductFactory(sku="BSH-GSB18V", name="GSB 18V-50 冲击钻", category=drills, brand=bosch)
    disc = ProductFactory(
        sku="STL-DISC100",
        name="金属切割片 100mm",
        category=discs,
        brand=BrandFactory(name="史丹利"),
        price=Decimal("6.50"),
        cost=Decimal("3.00"),
        is_power_tool=False,
        warranty_months=0,
    )
    StockLevelFactory(store=store_a, product=drill, quantity=3)
    StockLevelFactory(store=store_b, product=drill, quantity=7)
    StockLevelFactory(store=store_b, product=disc, quantity=40)
    return {"drill": drill, "disc": disc}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_product_list_opens_for_every_role(role, make_user, client_for, products):
    response = client_for(make_user(role)).get(reverse("catalog:list"))

    assert response.status_code == 200
    assert "GSB 18V-50 冲击钻" in response.content.decode()


@pytest.mark.django_db
def test_product_list_requires_login(client, products):
    response = client.get(reverse("catalog:list"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_inactive_user_is_sent_to_login(make_user, client_for, products):
    user = make_user(Role.CLERK, is_active=False)

    response = client_for(user).get(reverse("catalog:list"))

    assert response.status_code == 302


@pytest.mark.django_db
def test_clerk_sees_stock_of_own_store_only(clerk, client_for, products):
    response = client_for(clerk).get(reverse("catalog:list"))

    rows = {p.sku: p.stock_on_hand for p in response.context["products"]}
    assert rows == {"BSH-GSB18V": 3, "STL-DISC100": 0}
    assert "缺货" in response.content.decode()


@pytest.mark.django_db
def test_regional_manager_sees_stock_of_every_store_in_region(make_user, client_for, products):
    response = client_for(make_user(Role.REGIONAL_MANAGER)).get(reverse("catalog:list"))

    rows = {p.sku: p.stock_on_hand for p in response.context["products"]}
    assert rows == {"BSH-GSB18V": 10, "STL-DISC100": 40}


@pytest.mark.django_db
def test_filters_by_query_category_and_brand(clerk, client_for, products):
    client = client_for(clerk)

    by_query = client.get(reverse("catalog:list"), {"q": "切割片"})
    by_category = client.get(reverse("catalog:list"), {"category": "POWER"})
    by_brand = client.get(reverse("catalog:list"), {"brand": "Bosch"})

    assert [p.sku for p in by_query.context["products"]] == ["STL-DISC100"]
    assert [p.sku for p in by_category.context["products"]] == ["BSH-GSB18V"]
    assert [p.sku for p in by_brand.context["products"]] == ["BSH-GSB18V"]


@pytest.mark.django_db
def test_pagination_links_keep_filters_url_encoded(clerk, client_for):
    category = CategoryFactory(code="HAND", name="手动工具")
    for number in range(35):
        ProductFactory(sku=f"HT-{number:03d}", name=f"扳手 {number}", category=category)

    response = client_for(clerk).get(reverse("catalog:list"), {"q": "扳手", "category": "HAND"})

    body = response.content.decode()
    assert "?q=%E6%89%B3%E6%89%8B&amp;category=HAND&page=2" in body


@pytest.mark.django_db
def test_unknown_filter_values_show_the_empty_state(clerk, client_for, products):
    response = client_for(clerk).get(reverse("catalog:list"), {"category": "NOPE", "page": "x"})

    assert response.status_code == 200
    assert "没有匹配的商品" in response.content.decode()


@pytest.mark.django_db
def test_product_list_query_count_does_not_grow_with_products(
    clerk, client_for, django_assert_max_num_queries
):
    category = CategoryFactory()
    for number in range(25):
        product = ProductFactory(sku=f"Q-{number:03d}", category=category)
        StockLevelFactory(store=clerk.store, product=product, quantity=number)
    client = client_for(clerk)
    client.get(reverse("catalog:list"))  # warm the session and content types

    with django_assert_max_num_queries(8):
        response = client.get(reverse("catalog:list"))

    assert len(response.context["products"]) == 25
