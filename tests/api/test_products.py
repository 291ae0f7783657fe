"""/api/products/: the catalog list with filters and one product by SKU or id; every role may
read it (Capability.VIEW_CATALOG), cost prices are never part of the answer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.api.conftest import ALL_ROLES
from tests.factories import BrandFactory, CategoryFactory, ProductFactory
from toolcrm.core import roles
from toolcrm.core.roles import Capability, Role


@pytest.fixture
def catalog(db):  # type: ignore[no-untyped-def]
    drills = CategoryFactory(code="DRILL", name="电钻")
    hammer_drills = CategoryFactory(code="DRILL-HAMMER", name="冲击钻", parent=drills)
    saws = CategoryFactory(code="SAW", name="电锯")
    bosch = BrandFactory(name="博世", name_en="Bosch")
    makita = BrandFactory(name="牧田", name_en="Makita")
    return {
        "gsb": ProductFactory(
            sku="BSH-GSB18V50",
            name="GSB 18V-50 冲击钻",
            brand=bosch,
            category=hammer_drills,
            price=Decimal("899.00"),
            cost=Decimal("610.00"),
            barcode="6936120500123",
        ),
        "gsr": ProductFactory(
            sku="BSH-GSR120", name="GSR 120-LI 电钻", brand=bosch, category=drills
        ),
        "saw": ProductFactory(sku="MKT-HS7010", name="HS7010 圆锯", brand=makita, category=saws),
        "old": ProductFactory(sku="BSH-OLD", name="停售电钻", brand=bosch, is_active=False),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_list_per_role(role, make_user, api_for, catalog):
    response = api_for(make_user(role)).get("/api/products/")

    assert response.status_code == 200
    assert [item["sku"] for item in response.json()["items"]] == [
        "BSH-GSB18V50",
        "BSH-GSR120",
        "MKT-HS7010",
    ]


@pytest.mark.django_db
def test_without_the_capability_the_catalog_is_403(monkeypatch, make_user, api_for, catalog):
    monkeypatch.setitem(
        roles.ROLE_CAPABILITIES,
        Role.TECHNICIAN,
        roles.ROLE_CAPABILITIES[Role.TECHNICIAN] - {Capability.VIEW_CATALOG},
    )
    client = api_for(make_user(Role.TECHNICIAN))

    for path in ("/api/products/", "/api/products/BSH-GSB18V50"):
        response = client.get(path)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "skus"),
    [
        ({"q": "bsh-gs"}, ["BSH-GSB18V50", "BSH-GSR120"]),
        ({"q": "圆锯"}, ["MKT-HS7010"]),
        ({"q": "6936120500123"}, ["BSH-GSB18V50"]),
        ({"category": "DRILL"}, ["BSH-GSB18V50", "BSH-GSR120"]),
        ({"category": "DRILL-HAMMER"}, ["BSH-GSB18V50"]),
        ({"brand": "makita"}, ["MKT-HS7010"]),
        ({"brand": "博世", "q": "GSR"}, ["BSH-GSR120"]),
        ({"q": "nothing"}, []),
    ],
)
def test_list_filters(params, skus, clerk, api_for, catalog):
    response = api_for(clerk).get("/api/products/", params)

    body = response.json()
    assert [item["sku"] for item in body["items"]] == skus
    assert body["count"] == len(skus)


@pytest.mark.django_db
def test_product_output_has_no_cost(clerk, api_for, catalog):
    response = api_for(clerk).get("/api/products/BSH-GSB18V50")

    assert response.status_code == 200
    assert response.json() == {
        "id": catalog["gsb"].pk,
        "sku": "BSH-GSB18V50",
        "barcode": "6936120500123",
        "name": "GSB 18V-50 冲击钻",
        "spec": "18V 无刷",
        "brand": {"id": catalog["gsb"].brand_id, "name": "博世", "name_en": "Bosch"},
        "category": {"id": catalog["gsb"].category_id, "code": "DRILL-HAMMER", "name": "冲击钻"},
        "unit": "件",
        "price": "899.00",
        "is_power_tool": True,
        "is_consumable": False,
        "warranty_months": 12,
        "maintenance_interval_days": None,
        "is_active": True,
    }
    assert "610" not in response.content.decode()


@pytest.mark.django_db
def test_get_by_id_and_inactive_by_sku(clerk, api_for, catalog):
    client = api_for(clerk)

    assert client.get(f"/api/products/{catalog['saw'].pk}").json()["sku"] == "MKT-HS7010"
    assert client.get("/api/products/BSH-OLD").json()["is_active"] is False


@pytest.mark.django_db
def test_unknown_product_is_404(clerk, api_for, catalog):
    response = api_for(clerk).get("/api/products/NOPE")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_list_query_count_is_constant(clerk, api_for, catalog, django_assert_max_num_queries):
    client = api_for(clerk)
    client.get("/api/products/")
    ProductFactory.create_batch(30)

    # token + count + one page with brand and category joined
    with django_assert_max_num_queries(3):
        response = client.get("/api/products/", {"limit": 200})

    assert response.json()["count"] == 33
