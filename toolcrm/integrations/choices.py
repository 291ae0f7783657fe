"""Enumerations of the integrations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AddressReview(models.TextChoices):
    """Why a normalised address needs a person to look at it."""

    NOT_FOUND = "not_found", _("未识别到省市区")
    AMBIGUOUS_DISTRICT = "ambiguous_district", _("区县名称在多个城市重复，无法确定属于哪个城市")
    INCOMPLETE = "incomplete", _("只识别到省或市，缺少区县")


class ImportKind(models.TextChoices):
    """What a file imports; each kind has its importer in ``importers/``."""

    CUSTOMERS = "customers", _("客户")
    ORDERS = "orders", _("订单")
    PRODUCTS = "products", _("商品")
    STOCK = "stock", _("库存")


class ImportStatus(models.TextChoices):
    DRAFT = "draft", _("待确认列对应")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ImportPath(models.TextChoices):
    """How a job's rows were written: unit by unit through the domain services, or (large order
    files on PostgreSQL) staged with COPY and written with set-based SQL (``bulk_orders``)."""

    STANDARD = "standard", _("逐单导入")
    BULK = "bulk", _("批量导入（PostgreSQL COPY）")


class MatchKind(models.TextChoices):
    """How sure a duplicate candidate is: a shared unique key, or similar details."""

    DETERMINISTIC = "deterministic", _("确定匹配")
    PROBABLE = "probable", _("疑似匹配")


class MatchStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    MERGED = "merged", _("已合并")
    DISMISSED = "dismissed", _("不是同一人")
