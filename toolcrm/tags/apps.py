"""App config for tags: listens for committed sales (single and batched), returns and merges to
refresh the customers' tags, and gives the churn model the behaviour tags as features (insights
sits below tags and cannot import them, so tags registers a provider with it)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TagsConfig(AppConfig):
    name = "toolcrm.tags"
    label = "tags"
    verbose_name = _("客户标签")

    def ready(self) -> None:
        from toolcrm.customers.signals import customers_merged
        from toolcrm.insights.churn import register_feature_provider
        from toolcrm.sales.signals import order_recorded, orders_recorded_batch, return_recorded
        from toolcrm.tags.features import BEHAVIOUR_TAG_FEATURES
        from toolcrm.tags.receivers import retag_customer, retag_customers

        register_feature_provider(BEHAVIOUR_TAG_FEATURES)

        order_recorded.connect(retag_customer, dispatch_uid="tags.retag_after_sale")
        orders_recorded_batch.connect(retag_customers, dispatch_uid="tags.retag_after_batch")
        return_recorded.connect(retag_customer, dispatch_uid="tags.retag_after_return")
        customers_merged.connect(retag_customers, dispatch_uid="tags.retag_after_merge")
