"""App config for loyalty: connects the receivers of sales and merge notifications."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "toolcrm.loyalty"
    label = "loyalty"
    verbose_name = _("会员忠诚度")

    def ready(self) -> None:
        from toolcrm.customers.signals import customers_merged
        from toolcrm.loyalty.receivers import (
            loyalty_after_batch,
            loyalty_after_merge,
            loyalty_after_return,
            loyalty_after_sale,
        )
        from toolcrm.sales import signals as sales_signals

        sales_signals.order_recorded.connect(loyalty_after_sale, dispatch_uid="loyalty.after_sale")
        # Bulk writers (importers, the batch API) announce their orders in one batch signal.
        sales_signals.orders_recorded_batch.connect(
            loyalty_after_batch, dispatch_uid="loyalty.after_batch"
        )
        sales_signals.return_recorded.connect(
            loyalty_after_return, dispatch_uid="loyalty.after_return"
        )
        customers_merged.connect(loyalty_after_merge, dispatch_uid="loyalty.after_merge")
