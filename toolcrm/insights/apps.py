"""App config for insights."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "toolcrm.insights"
    label = "insights"
    verbose_name = _("客户洞察")

    def ready(self) -> None:
        from toolcrm.customers.signals import customers_merged
        from toolcrm.insights.receivers import (
            rescore_after_batch,
            rescore_after_merge,
            rescore_after_return,
            rescore_after_sale,
        )
        from toolcrm.sales.signals import order_recorded, orders_recorded_batch, return_recorded

        order_recorded.connect(rescore_after_sale, dispatch_uid="insights.rescore_after_sale")
        orders_recorded_batch.connect(
            rescore_after_batch, dispatch_uid="insights.rescore_after_batch"
        )
        return_recorded.connect(rescore_after_return, dispatch_uid="insights.rescore_after_return")
        customers_merged.connect(rescore_after_merge, dispatch_uid="insights.rescore_after_merge")
