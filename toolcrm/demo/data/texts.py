"""Free texts of the demo data: interaction summaries, consent sources, return reasons and
customer notes, written as store staff write them. Templates take ``{category}``, ``{brand}``,
``{brand2}``, ``{months}`` and ``{occupation}``."""

from __future__ import annotations

# fmt: off
INTERACTION_TEMPLATES: dict[str, tuple[str, ...]] = {
    "visit": (
        "到店选购{category}，对比了{brand}和{brand2}，暂未下单",
        "到店咨询{category}用法，店员现场演示",
        "到店取货，顺便看了{brand}新款{category}",
        "带朋友到店看{category}，留了联系方式",
        "到店询问{category}以旧换新活动",
    ),
    "call": (
        "电话回访：上次购买的{category}使用正常，客户满意",
        "电话提醒保养：{category}建议检查碳刷",
        "来电询问{brand}{category}到货时间，已登记到货提醒",
        "电话确认本月订货需求，客户下周到店",
    ),
    "consultation": (
        "咨询{brand}{category}保修政策，已说明保修{months}个月",
        "微信咨询{category}选型，推荐{brand}无刷款",
        "咨询电池与充电器是否通用，已说明{brand}同平台通用",
        "咨询企业批量采购价格，已转大客户经理",
    ),
    "complaint": (
        "反映{brand}{category}开箱有划痕，已安排换货",
        "反映送货晚了两天，已致歉并赠送钻头套装",
        "反映{category}电池续航短，已登记送检",
        "对结账排队时间长不满意，店长已电话致歉",
    ),
    "note": (
        "客户偏好{brand}，有新品请通知",
        "客户是{occupation}，常买{category}，可推荐批量价",
        "需要开具增值税专用发票",
        "客户周末方便到店，工作日请勿来电",
    ),
}

INTERACTION_KIND_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("visit", 35), ("call", 20), ("consultation", 25), ("complaint", 5), ("note", 15),
)

# Where a consent was given, by the customer's source channel.
CONSENT_SOURCES: dict[str, str] = {
    "store": "门店登记", "ecommerce": "电商注册", "miniprogram": "小程序授权",
    "wechat": "公众号关注", "service_desk": "服务台登记", "b2b": "合同约定",
    "referral": "门店登记",
}
WITHDRAWAL_SOURCES: tuple[str, ...] = ("短信回复TD退订", "客户要求撤回", "小程序设置关闭")

RETURN_REASONS: tuple[str, ...] = (
    "质量问题：无法开机", "七天无理由退货", "型号买错", "重复购买", "配件不匹配", "外观破损",
)

CUSTOMER_NOTES: tuple[str, ...] = (
    "偏好牧田平台电池", "需要开票", "常买钻头和切割片", "装修中，三个月内需求大",
    "老客户，价格敏感", "喜欢无刷款", "周末到店",
)
# fmt: on
