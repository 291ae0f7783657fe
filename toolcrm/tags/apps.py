"""App config for tags: listens for committed sales (single and batched), returns and merges to
refresh the customers' tags."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TagsConfig(AppConfig):
    name = "toolcrm.tags"
    label = "tags"
    verbose_name = _("客户标签")

    def ready(self) -> None:
        from toolcrm.customers.signals import customers_merged
        from toolcrm.sales.signals import order_recorded, orders_recorded_batch, return_recorded
        from toolcrm.tags.receivers import retag_customer, retag_customers

        order_recorded.connect(retag_customer, dispatch_uid="tags.retag_after_sale")
        orders_recorded_batch.connect(retag_customers, dispatch_uid="tags.retag_after_batch")
        return_recorded.connect(retag_customer, dispatch_uid="tags.retag_after_return")
        customers_merged.connect(retag_customers, dispatch_uid="tags.retag_after_merge")
