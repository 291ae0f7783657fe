"""Enumerations of the customers domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    PERSON = "person", _("个人")
    COMPANY = "company", _("企业")


class CompanyType(models.TextChoices):
    RENOVATION = "renovation", _("装修公司")
    CONSTRUCTION_CREW = "construction_crew", _("施工队")
    PROPERTY_MANAGEMENT = "property_management", _("物业")
    FACTORY = "factory", _("工厂")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    UNKNOWN = "", _("未知")
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class AgeBand(models.TextChoices):
    UNKNOWN = "", _("未知")
    UNDER_25 = "<25", _("25岁以下")
    FROM_25 = "25-34", _("25–34岁")
    FROM_35 = "35-44", _("35–44岁")
    FROM_45 = "45-54", _("45–54岁")
    FROM_55 = "55+", _("55岁及以上")


class SourceChannel(models.TextChoices):
    STORE = "store", _("门店")
    ECOMMERCE = "ecommerce", _("电商")
    MINIPROGRAM = "miniprogram", _("小程序")
    WECHAT = "wechat", _("微信")
    SERVICE_DESK = "service_desk", _("服务台")
    B2B = "b2b", _("大客户")
    REFERRAL = "referral", _("转介绍")


class ConsentChannel(models.TextChoices):
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")
    EMAIL = "email", _("邮件")
    PHONE = "phone", _("电话")
    PRINT = "print", _("门店打印")


class ConsentPurpose(models.TextChoices):
    MARKETING = "marketing", _("营销推广")
    SERVICE = "service", _("服务通知")
    ANALYTICS = "analytics", _("个性化分析")


class InteractionKind(models.TextChoices):
    VISIT = "visit", _("到店")
    CALL = "call", _("电话")
    CONSULTATION = "consultation", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    NOTE = "note", _("备注")
