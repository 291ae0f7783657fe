"""App config for insights."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "toolcrm.insights"
    label = "insights"
    verbose_name = _("客户洞察")

    def ready(self) -> None:
        from toolcrm.customers.signals import customers_merged
        from toolcrm.insights.receivers import rescore_after_merge, rescore_after_sale
        from toolcrm.sales.signals import order_recorded

        order_recorded.connect(rescore_after_sale, dispatch_uid="insights.rescore_after_sale")
        customers_merged.connect(rescore_after_merge, dispatch_uid="insights.rescore_after_merge")
