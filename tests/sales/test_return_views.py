"""The order page and its 退货 form: scope (404 out of scope, 403 without the capability),
a fixed number of queries, errors beside their field with nothing written, and the links to it
from the order list and the 360 timeline."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import OrderLineFactory, SerialNumberFactory
from tests.sales.conftest import lines_of
from toolcrm.core.roles import Role
from toolcrm.sales.models import Return, SerialNumber


def _detail(order):  # type: ignore[no-untyped-def]
    return reverse("sales:order_detail", args=[order.pk])


def _post(order):  # type: ignore[no-untyped-def]
    return reverse("sales:order_return", args=[order.pk])


@pytest.mark.django_db
def test_the_order_page_shows_lines_serials_payments_and_the_return_form(
    clerk, client_for, returnable_order
):
    response = client_for(clerk).get(_detail(returnable_order))

    assert response.status_code == 200
    html = response.content.decode()
    assert "POS-RET-1" in html
    assert html.count('data-testid="order-line"') == 2
    assert "SN-A" in html and "SN-B" in html
    assert 'data-testid="return-form"' in html
    assert html.count('data-testid="return-qty"') == 2
    assert reverse("workspace:customer_360", args=[returnable_order.customer_id]) in html


@pytest.mark.django_db
def test_the_order_page_costs_the_same_queries_whatever_the_lines(
    clerk, client_for, returnable_order, django_assert_max_num_queries
):
    client = client_for(clerk)
    with django_assert_max_num_queries(20) as few:
        client.get(_detail(returnable_order))
    for _ in range(5):
        line = OrderLineFactory(order=returnable_order, quantity=2)
        SerialNumberFactory(line=line)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_detail(returnable_order))
    assert response.content.decode().count('data-testid="order-line"') == 7


@pytest.mark.django_db
def test_out_of_scope_is_404_and_without_the_capability_no_form_and_403(
    make_user, store_b, client_for, returnable_order
):
    drill, _bits = lines_of(returnable_order)
    body = {f"line_{drill}": "1", "serials": ["SN-A"], "reason": "x"}
    outsider = client_for(make_user(Role.CLERK, username="clerk_b", store=store_b))
    assert outsider.get(_detail(returnable_order)).status_code == 404
    assert outsider.post(_post(returnable_order), body).status_code == 404

    technician = client_for(make_user(Role.TECHNICIAN, username="tech_a"))
    page = technician.get(_detail(returnable_order))
    assert page.status_code == 200
    assert 'data-testid="return-form"' not in page.content.decode()
    assert technician.post(_post(returnable_order), body).status_code == 403
    assert Return.objects.count() == 0


@pytest.mark.django_db
def test_posting_the_form_records_the_return_and_shows_it(clerk, client_for, returnable_order):
    drill, bits = lines_of(returnable_order)
    client = client_for(clerk)

    response = client.post(
        _post(returnable_order),
        {f"line_{drill}": "1", f"line_{bits}": "0", "serials": ["SN-B"], "reason": "质量问题"},
        follow=True,
    )

    assert response.redirect_chain == [(_detail(returnable_order), 302)]
    record = Return.objects.get()
    assert record.refund_amount == Decimal("574.00")
    assert SerialNumber.objects.get(serial="SN-B").is_returned
    html = response.content.decode()
    assert 'data-testid="order-return"' in html
    assert "部分退货" in html or "partially" in html.lower()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"drill": "1", "reason": "质量问题"}, "需选择 1 个序列号"),
        ({"drill": "3", "serials": ["SN-A"], "reason": "质量问题"}, "2"),
        ({"drill": "1", "serials": ["SN-A"], "reason": ""}, "reason"),
        ({"drill": "0", "reason": "质量问题"}, "请至少填写一行"),
        ({"drill": "1", "serials": ["SN-A"], "reason": "x", "refund_amount": "9999"}, "1185.50"),
    ],
)
def test_bad_input_shows_errors_and_writes_nothing(
    clerk, client_for, returnable_order, body, message
):
    drill, _bits = lines_of(returnable_order)
    data = {key: value for key, value in body.items() if key != "drill"}
    data[f"line_{drill}"] = body["drill"]

    response = client_for(clerk).post(_post(returnable_order), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="return-form"' in html
    if message == "reason":
        assert 'name="reason"' in html and "is-invalid" in html
    else:
        assert message in html
    assert Return.objects.count() == 0
    assert not SerialNumber.objects.filter(is_returned=True).exists()


@pytest.mark.django_db
def test_the_quote_shows_the_refund_of_the_chosen_quantities(clerk, client_for, returnable_order):
    drill, bits = lines_of(returnable_order)
    url = reverse("sales:return_quote", args=[returnable_order.pk])

    response = client_for(clerk).get(url, {f"line_{drill}": "1", f"line_{bits}": "2"})

    assert response.status_code == 200
    assert "599.00" in response.content.decode()  # 574.00 + 2 × 12.50


@pytest.mark.django_db
def test_the_order_list_and_the_360_timeline_link_to_the_order(clerk, client_for, returnable_order):
    client = client_for(clerk)
    url = _detail(returnable_order)
    assert url in client.get(reverse("sales:order_list")).content.decode()
    page = client.get(reverse("workspace:customer_360", args=[returnable_order.customer_id]))
    assert url in page.content.decode()
