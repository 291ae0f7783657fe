"""/api/customers/: search, list, read, create, update — allowed and denied per role, 404 outside
the caller's scope, phones always masked, bad input answers JSON errors and writes nothing."""

from __future__ import annotations

import pytest

from tests.api.conftest import ALL_ROLES
from tests.factories import CustomerFactory, StoreFactory
from toolcrm.core.roles import Role
from toolcrm.customers.models import Customer

CAN_EDIT = {Role.CLERK, Role.STORE_MANAGER, Role.REGIONAL_MANAGER, Role.B2B_MANAGER, Role.ADMIN}
FULL_PHONE_FORMS = ("13812345678", "+8613812345678", "138 1234 5678")


def _assert_no_full_phone(body: str) -> None:
    for form in FULL_PHONE_FORMS:
        assert form not in body
    assert "enc:" not in body
    assert "_index" not in body


# --- list and search ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_list_per_role(role, user_for_role, api_for, customer, store_south):
    CustomerFactory(name="华南客户", home_store=store_south)

    response = api_for(user_for_role(role)).get("/api/customers/")

    body = response.json()
    names = {item["name"] for item in body["items"]}
    assert response.status_code == 200
    assert "陈工" in names
    assert ("华南客户" in names) == (role in {Role.ADMIN, Role.HQ_MARKETING})
    assert body["count"] == len(body["items"])
    _assert_no_full_phone(response.content.decode())


@pytest.mark.django_db
def test_b2b_manager_lists_only_their_accounts(make_user, api_for, customer):
    b2b = make_user(Role.B2B_MANAGER)

    response = api_for(b2b).get("/api/customers/")

    assert response.json() == {"items": [], "count": 0}


@pytest.mark.django_db
def test_list_output_shape(clerk, api_for, customer):
    response = api_for(clerk).get("/api/customers/")

    item = response.json()["items"][0]
    assert item["phone"] == "138****5678"
    assert item["home_store"] == {
        "id": customer.home_store_id,
        "code": "SH01",
        "name": "上海浦东店",
    }
    assert item["member_card_no"] == "M000012345"
    assert item["kind"] == "person"
    assert "id_card_no" not in item
    assert {"created_at", "updated_at", "province", "source_channel"} <= set(item)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "13812345678",
        "+86 138 1234 5678",
        "138-1234-5678",
        "0086 138 1234 5678",
        "+86-138-1234-5678",
        "１３８１２３４５６７８",
        "＋８６　１３８－１２３４－５６７８",
        "(+86) 138.1234.5678",
    ],
)
def test_search_by_phone_in_any_form(query, clerk, api_for, customer):
    CustomerFactory(name="别人", home_store=customer.home_store)

    response = api_for(clerk).get("/api/customers/", {"q": query})

    body = response.json()
    assert response.status_code == 200
    assert [item["id"] for item in body["items"]] == [customer.pk]
    _assert_no_full_phone(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["m000012345", "陈", "陈工"])
def test_search_by_member_card_or_name_prefix(query, clerk, api_for, customer):
    CustomerFactory(name="王五", home_store=customer.home_store)

    response = api_for(clerk).get("/api/customers/", {"q": query})

    assert [item["id"] for item in response.json()["items"]] == [customer.pk]


@pytest.mark.django_db
def test_search_never_crosses_the_scope(store_b, clerk, api_for):
    CustomerFactory(name="外店客户", phone="+8613700007777", home_store=store_b)

    for query in ("13700007777", "外店"):
        assert api_for(clerk).get("/api/customers/", {"q": query}).json()["count"] == 0


@pytest.mark.django_db
def test_list_paginates_newest_first(clerk, api_for, store_a):
    CustomerFactory.create_batch(7, home_store=store_a)
    client = api_for(clerk)

    first = client.get("/api/customers/", {"limit": 3}).json()
    rest = client.get("/api/customers/", {"limit": 3, "offset": 3}).json()

    all_ids = list(Customer.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    assert first["count"] == 7
    assert [item["id"] for item in first["items"]] == all_ids[:3]
    assert [item["id"] for item in rest["items"]] == all_ids[3:6]


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"limit": 201}, {"limit": 0}, {"offset": -1}])
def test_list_limits_are_enforced(params, clerk, api_for):
    response = api_for(clerk).get("/api/customers/", params)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["detail"][0]["field"] in {"limit", "offset"}


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_the_page(
    clerk, api_for, store_a, django_assert_max_num_queries
):
    client = api_for(clerk)
    client.get("/api/customers/")  # the token's first use writes last_used_at; not measured
    CustomerFactory.create_batch(3, home_store=store_a)
    # token + count + page (home store joined)
    with django_assert_max_num_queries(3) as small:
        client.get("/api/customers/")
    CustomerFactory.create_batch(40, home_store=store_a)

    with django_assert_max_num_queries(3) as large:
        response = client.get("/api/customers/")

    assert len(response.json()["items"]) == 43
    assert len(large.captured_queries) == len(small.captured_queries)


# --- read one -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_get_customer_per_role(role, user_for_role, api_for, customer):
    response = api_for(user_for_role(role)).get(f"/api/customers/{customer.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == customer.pk
    _assert_no_full_phone(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CLERK, Role.STORE_MANAGER, Role.TECHNICIAN])
def test_store_a_staff_get_404_for_store_b_customer(role, make_user, api_for, store_b):
    other = CustomerFactory(name="外店客户", home_store=store_b)

    response = api_for(make_user(role)).get(f"/api/customers/{other.pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。", "code": "not_found"}


@pytest.mark.django_db
def test_out_of_scope_looks_exactly_like_missing(clerk, api_for, store_b):
    other = CustomerFactory(home_store=store_b)
    client = api_for(clerk)

    hidden = client.get(f"/api/customers/{other.pk}")
    missing = client.get("/api/customers/999999")

    assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content)


@pytest.mark.django_db
def test_regional_manager_sees_only_their_region(make_user, api_for, store_b, store_south):
    manager = make_user(Role.REGIONAL_MANAGER)
    own = CustomerFactory(home_store=store_b)
    foreign = CustomerFactory(home_store=store_south)
    client = api_for(manager)

    assert client.get(f"/api/customers/{own.pk}").status_code == 200
    assert client.get(f"/api/customers/{foreign.pk}").status_code == 404


@pytest.mark.django_db
def test_b2b_manager_gets_404_for_accounts_of_others(make_user, api_for, customer):
    assert api_for(make_user(Role.B2B_MANAGER)).get(
        f"/api/customers/{customer.pk}"
    ).status_code == (404)


# --- create ---------------------------------------------------------------------------------


def _new_customer(store, **overrides):
    body = {"name": "林芳", "phone": "+86 139-0000-1234", "home_store": store.pk}
    body.update(overrides)
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_create_per_role(role, user_for_role, api_for, store_a):
    user = user_for_role(role)
    before = Customer.objects.count()

    response = api_for(user).post("/api/customers/", _new_customer(store_a))

    if role in CAN_EDIT - {Role.B2B_MANAGER}:
        assert response.status_code == 201
        assert Customer.objects.count() == before + 1
    elif role == Role.B2B_MANAGER:
        # May edit customers, but files none under a store: no store is in their scope.
        assert response.status_code == 400
        assert response.json()["detail"][0]["field"] == "home_store"
        assert Customer.objects.count() == before
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert Customer.objects.count() == before


@pytest.mark.django_db
def test_create_normalises_masks_and_defaults_to_own_store(clerk, api_for, store_a):
    response = api_for(clerk).post(
        "/api/customers/",
        {"name": "林芳", "phone": "＋８６ １３９-0000-1234", "email": " Lin@Example.com "},
    )

    body = response.json()
    customer = Customer.objects.get()
    assert response.status_code == 201
    assert body["id"] == customer.pk
    assert body["phone"] == "139****1234"
    assert body["email"] == "lin@example.com"
    assert body["home_store"]["code"] == "SH01"
    assert customer.phone == "+8613900001234"
    assert customer.created_by == clerk
    assert "13900001234" not in response.content.decode()


@pytest.mark.django_db
def test_create_accepts_a_store_code(make_user, api_for, store_b):
    admin = make_user(Role.ADMIN)

    response = api_for(admin).post("/api/customers/", _new_customer(store_b, home_store="HZ01"))

    assert response.status_code == 201
    assert Customer.objects.get().home_store == store_b


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"phone": "1234"}, 400, "phone"),
        ({"phone": ""}, 400, "phone"),
        ({"name": ""}, 400, "name"),
        ({"email": "x@"}, 400, "email"),
        ({"id_card_no": "110101199003071234"}, 400, "id_card_no"),
        ({"home_store": "HZ01"}, 400, "home_store"),  # store B: outside a clerk's scope
        ({"home_store": 999999}, 400, "home_store"),
        ({"kind": "alien"}, 422, "kind"),
        ({"birthday": "2024-13-45"}, 422, "birthday"),
        ({"name": None}, 422, "name"),
        ({"name": "x" * 101}, 422, "name"),
    ],
)
def test_create_bad_input_names_the_field_and_writes_nothing(
    overrides, status, field, clerk, api_for, store_a, store_b
):
    response = api_for(clerk).post("/api/customers/", _new_customer(store_a, **overrides))

    body = response.json()
    assert response.status_code == status
    assert body["code"] == ("invalid" if status == 400 else "validation_error")
    assert field in [error["field"] for error in body["detail"]]
    assert all(error["message"] for error in body["detail"])
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_create_with_a_body_that_is_not_json(clerk, api_for):
    response = api_for(clerk).client.post(
        "/api/customers/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "body"
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_phone_names_the_visible_existing_customer(clerk, api_for, store_a, customer):
    response = api_for(clerk).post("/api/customers/", _new_customer(store_a, phone="138 1234 5678"))

    assert response.status_code == 400
    assert response.json() == {
        "detail": [{"field": "phone", "message": "该手机号已被其他客户使用，请勿重复建档。"}],
        "code": "duplicate_phone",
        "existing_customer_id": customer.pk,
    }
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_duplicate_phone_in_another_store_does_not_reveal_the_customer(
    clerk, api_for, store_a, store_b
):
    CustomerFactory(name="隐藏客户", phone="+8613700007777", home_store=store_b)

    response = api_for(clerk).post("/api/customers/", _new_customer(store_a, phone="13700007777"))

    body = response.json()
    assert response.status_code == 400
    assert body["existing_customer_id"] is None
    assert body["detail"][0]["field"] == "phone"
    assert "隐藏客户" not in response.content.decode()
    assert Customer.objects.count() == 1


# --- update ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_update_per_role(role, user_for_role, api_for, customer):
    response = api_for(user_for_role(role)).patch(
        f"/api/customers/{customer.pk}", {"occupation": "电工"}
    )

    customer.refresh_from_db()
    if role in CAN_EDIT:
        assert response.status_code == 200
        assert response.json()["occupation"] == "电工"
        assert customer.occupation == "电工"
    else:
        assert response.status_code == 403
        assert customer.occupation == ""


@pytest.mark.django_db
def test_update_changes_only_the_fields_sent(clerk, api_for, customer):
    response = api_for(clerk).patch(
        f"/api/customers/{customer.pk}", {"name": "陈工程师", "phone": "139 0000 9999"}
    )

    customer.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["phone"] == "139****9999"
    assert (customer.name, customer.phone, customer.member_card_no) == (
        "陈工程师",
        "+8613900009999",
        "M000012345",
    )


@pytest.mark.django_db
def test_update_of_another_stores_customer_is_404_and_writes_nothing(clerk, api_for, store_b):
    other = CustomerFactory(name="外店客户", home_store=store_b)

    response = api_for(clerk).patch(f"/api/customers/{other.pk}", {"name": "改名"})

    other.refresh_from_db()
    assert response.status_code == 404
    assert other.name == "外店客户"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"phone": "12"}, 400, "phone"),
        ({"phone": None}, 400, "phone"),  # a person must keep a phone
        ({"name": ""}, 400, "name"),
        ({"email": "nope"}, 400, "email"),
        ({"home_store": None}, 400, "home_store"),
        ({"home_store": "HZ01"}, 400, "home_store"),
        ({"gender": "X"}, 422, "gender"),
        ({"birthday": "yesterday"}, 422, "birthday"),
    ],
)
def test_update_bad_input_writes_nothing(body, status, field, clerk, api_for, customer, store_b):
    before = Customer.objects.values().get(pk=customer.pk)

    response = api_for(clerk).patch(f"/api/customers/{customer.pk}", body)

    assert response.status_code == status
    assert field in [error["field"] for error in response.json()["detail"]]
    assert Customer.objects.values().get(pk=customer.pk) == before


@pytest.mark.django_db
def test_update_to_a_phone_of_another_customer(clerk, api_for, customer, store_a):
    other = CustomerFactory(phone="+8613700001111", home_store=store_a)

    response = api_for(clerk).patch(f"/api/customers/{customer.pk}", {"phone": "13700001111"})

    customer.refresh_from_db()
    assert response.status_code == 400
    assert response.json()["existing_customer_id"] == other.pk
    assert customer.phone == "+8613812345678"


@pytest.mark.django_db
def test_store_manager_may_move_a_customer_within_scope_only(make_user, api_for, customer):
    new_store = StoreFactory(code="SH02", region=customer.home_store.region)
    regional = make_user(Role.REGIONAL_MANAGER)

    response = api_for(regional).patch(f"/api/customers/{customer.pk}", {"home_store": "SH02"})

    customer.refresh_from_db()
    assert response.status_code == 200
    assert customer.home_store == new_store


@pytest.mark.django_db
def test_search_query_count_is_constant(clerk, api_for, store_a, django_assert_max_num_queries):
    client = api_for(clerk)
    client.get("/api/customers/")
    CustomerFactory.create_batch(30, home_store=store_a, name="张三")

    # token + count + one page (home store joined)
    with django_assert_max_num_queries(3):
        response = client.get("/api/customers/", {"q": "张"})

    assert response.json()["count"] == 30
