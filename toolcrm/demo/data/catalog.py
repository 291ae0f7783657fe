"""The demo catalog: a category tree (with English names), brands (with their GS1 barcode
prefixes and item-number styles), machines with real-looking model numbers, and goods (hand
tools, consumables, safety gear, hardware) sold by several brands in several sizes.

``load_demo`` turns each machine into its kit variants (bare tool, one or two batteries …) and
each goods line into one product per brand and size: about 600 products.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategorySeed:
    code: str
    name: str
    name_en: str
    parent: str = ""
    kind: str = ""  # leaves: power, garden, appliance, measure, battery, hand, consumable, …
    is_consumable: bool = False


@dataclass(frozen=True)
class BrandSeed:
    name: str
    name_en: str
    country: str
    code: str  # in SKUs and serial numbers
    gs1_prefix: str  # 7-digit GS1 company prefix of the barcode
    item_code: str  # item-number style, formatted with n
    item_base: int
    tier: int  # 1 premium, 2 mid-range, 3 value: price level and warranty


@dataclass(frozen=True)
class MachineSeed:
    """A tool with a model number; ``power`` is a battery voltage ("18V": cordless kits) or a
    wattage ("710W": corded), or the full spec for single-variant items."""

    category: str
    brand: str
    model: str
    title: str
    power: str
    price: int


@dataclass(frozen=True)
class GoodsSeed:
    category: str
    title: str
    brands: tuple[str, ...]
    sizes: tuple[tuple[str, float], ...]  # (spec, retail price of a mid-range brand)
    unit: str


# fmt: off
CATEGORIES: tuple[CategorySeed, ...] = (
    CategorySeed("PT", "电动工具", "Power tools"),
    CategorySeed("PT-DRILL", "电钻", "Drill drivers", "PT", "power"),
    CategorySeed("PT-IMPACT", "冲击钻", "Impact drills", "PT", "power"),
    CategorySeed("PT-HAMMER", "电锤", "Rotary hammers", "PT", "power"),
    CategorySeed("PT-GRINDER", "角磨机", "Angle grinders", "PT", "power"),
    CategorySeed("PT-CIRC", "电圆锯", "Circular saws", "PT", "power"),
    CategorySeed("PT-JIG", "曲线锯", "Jigsaws", "PT", "power"),
    CategorySeed("PT-RECIP", "往复锯", "Reciprocating saws", "PT", "power"),
    CategorySeed("PT-WRENCH", "充电式扳手", "Cordless impact wrenches", "PT", "power"),
    CategorySeed("PT-DRIVER", "冲击起子机", "Impact drivers", "PT", "power"),
    CategorySeed("PT-SANDER", "砂光机", "Sanders", "PT", "power"),
    CategorySeed("PT-HEAT", "热风枪", "Heat guns", "PT", "power"),
    CategorySeed("HT", "手动工具", "Hand tools"),
    CategorySeed("HT-WRENCH", "扳手", "Wrenches", "HT", "hand"),
    CategorySeed("HT-SCREW", "螺丝刀", "Screwdrivers", "HT", "hand"),
    CategorySeed("HT-PLIER", "钳子", "Pliers", "HT", "hand"),
    CategorySeed("HT-HAMMER", "锤子", "Hammers", "HT", "hand"),
    CategorySeed("HT-TAPE", "卷尺", "Tape measures", "HT", "hand"),
    CategorySeed("HT-SET", "工具套装", "Tool sets", "HT", "hand"),
    CategorySeed("HT-KNIFE", "美工刀", "Utility knives", "HT", "hand"),
    CategorySeed("HT-SOCKET", "套筒", "Sockets", "HT", "hand"),
    CategorySeed("CS", "耗材", "Consumables"),
    CategorySeed("CS-BITS", "钻头套装", "Drill bits", "CS", "consumable", True),
    CategorySeed("CS-DISC", "切割片", "Cutting and grinding discs", "CS", "consumable", True),
    CategorySeed("CS-SAND", "砂纸", "Sandpaper", "CS", "consumable", True),
    CategorySeed("CS-BLADE", "锯片", "Saw blades", "CS", "consumable", True),
    CategorySeed("CS-BRUSH", "碳刷", "Carbon brushes", "CS", "consumable", True),
    CategorySeed("GD", "园林工具", "Garden tools"),
    CategorySeed("GD-MOWER", "割草机", "Lawn mowers and trimmers", "GD", "garden"),
    CategorySeed("GD-HEDGE", "绿篱机", "Hedge trimmers", "GD", "garden"),
    CategorySeed("GD-WASHER", "高压清洗机", "Pressure washers", "GD", "garden"),
    CategorySeed("GD-CHAIN", "链锯", "Chainsaws", "GD", "garden"),
    CategorySeed("MS", "测量工具", "Measuring tools"),
    CategorySeed("MS-LASER", "激光水平仪", "Laser levels", "MS", "measure"),
    CategorySeed("MS-RANGE", "测距仪", "Laser distance meters", "MS", "measure"),
    CategorySeed("MS-DETECT", "探测仪", "Wall scanners", "MS", "measure"),
    CategorySeed("PP", "劳保用品", "Safety gear"),
    CategorySeed("PP-GLOVE", "劳保手套", "Work gloves", "PP", "ppe", True),
    CategorySeed("PP-EYE", "护目镜", "Safety glasses", "PP", "ppe"),
    CategorySeed("PP-MASK", "防尘口罩", "Dust masks and respirators", "PP", "ppe", True),
    CategorySeed("PP-HELMET", "安全帽", "Helmets and vests", "PP", "ppe"),
    CategorySeed("HW", "五金配件", "Hardware and fasteners"),
    CategorySeed("HW-SCREW", "螺丝螺栓", "Screws and bolts", "HW", "hardware", True),
    CategorySeed("HW-ANCHOR", "膨胀螺栓", "Anchors", "HW", "hardware", True),
    CategorySeed("HW-HINGE", "合页铰链", "Hinges", "HW", "hardware"),
    CategorySeed("HW-SEAL", "胶带密封", "Tapes and sealants", "HW", "hardware", True),
    CategorySeed("BT", "电池与充电器", "Batteries and chargers"),
    CategorySeed("BT-PACK", "锂电池包", "Battery packs", "BT", "battery"),
    CategorySeed("BT-CHARGER", "充电器", "Chargers", "BT", "battery"),
    CategorySeed("CL", "清洁通风", "Cleaning and ventilation"),
    CategorySeed("CL-FAN", "工业风扇", "Industrial fans", "CL", "appliance"),
    CategorySeed("CL-VAC", "工业吸尘器", "Wet and dry vacuums", "CL", "power"),
)

BRANDS: tuple[BrandSeed, ...] = (
    BrandSeed("博世", "Bosch", "德国", "BOS", "4059952", "2608{n:06d}", 577100, 1),
    BrandSeed("牧田", "Makita", "日本", "MAK", "0088381", "D-{n:05d}", 30120, 1),
    BrandSeed("得伟", "DeWalt", "美国", "DEW", "5035048", "DT{n:04d}", 7100, 1),
    BrandSeed("米沃奇", "Milwaukee", "美国", "MIL", "4058546", "4932{n:06d}", 471200, 1),
    BrandSeed("东成", "Dongcheng", "中国", "DCA", "6921807", "DC-{n:05d}", 10100, 3),
    BrandSeed("史丹利", "Stanley", "美国", "STA", "3253561", "STHT{n:05d}", 72100, 2),
    BrandSeed("世达", "SATA", "美国", "SAT", "6936783", "{n:05d}", 9100, 2),
    BrandSeed("大艺", "Dayi", "中国", "DAY", "6975281", "DY-{n:04d}", 2100, 3),
    BrandSeed("威克士", "Worx", "中国", "WOR", "6932101", "WA{n:04d}", 3100, 2),
    BrandSeed("锐奇", "Ken", "中国", "KEN", "6920536", "KEN-{n:04d}", 8100, 3),
    BrandSeed("力易得", "Endura", "中国", "END", "6946532", "E{n:04d}", 1100, 3),
    BrandSeed("长城精工", "Greatwall", "中国", "GWL", "6925582", "{n:06d}", 280100, 3),
    BrandSeed("绿林", "Greener", "中国", "GRN", "6957104", "GL{n:04d}", 6100, 3),
    BrandSeed("得力", "deli", "中国", "DEL", "6921734", "DL{n:04d}", 2300, 3),
    BrandSeed("田岛", "Tajima", "日本", "TAJ", "4975364", "GS-{n:04d}", 1900, 1),
    BrandSeed("莱赛", "LAISAI", "中国", "LAI", "6954783", "LS{n:03d}", 600, 3),
    BrandSeed("卡赫", "Kärcher", "德国", "KAR", "4054278", "1.{n:03d}", 600, 1),
    BrandSeed("3M", "3M", "美国", "3MC", "6938012", "{n:04d}", 6100, 1),
    BrandSeed("霍尼韦尔", "Honeywell", "美国", "HON", "6935872", "H{n:04d}", 1100, 1),
    BrandSeed("喜利得", "Hilti", "列支敦士登", "HIL", "7613088", "{n:07d}", 2105700, 1),
    BrandSeed("晋亿", "Jinyi", "中国", "JYI", "6938512", "JY-{n:04d}", 1100, 3),
    BrandSeed("百隆", "Blum", "奥地利", "BLU", "9002981", "71B{n:04d}", 3500, 1),
    BrandSeed("东泰", "DTC", "中国", "DTC", "6943219", "DTC-{n:03d}", 300, 3),
)

CORDLESS_KITS: tuple[tuple[str, float], ...] = (
    ("裸机", 0.6), ("2.0Ah×1", 1.0), ("2.0Ah×2", 1.3), ("4.0Ah×2", 1.6),
)
CORDED_KITS: tuple[tuple[str, float], ...] = (("标配", 1.0), ("工具箱套装", 1.15))

_M = MachineSeed
MACHINES: tuple[MachineSeed, ...] = (
    _M("PT-DRILL", "博世", "GSR 120-LI", "锂电电钻", "12V", 599),
    _M("PT-DRILL", "博世", "GSR 185-LI", "无刷锂电电钻", "18V", 1099),
    _M("PT-DRILL", "博世", "GBM 345", "手电钻", "450W", 229),
    _M("PT-DRILL", "牧田", "DF333D", "锂电电钻", "12V", 699),
    _M("PT-DRILL", "牧田", "DDF485", "无刷锂电电钻", "18V", 1299),
    _M("PT-DRILL", "牧田", "6413", "手电钻", "450W", 329),
    _M("PT-DRILL", "得伟", "DCD701", "无刷锂电电钻", "12V", 799),
    _M("PT-DRILL", "得伟", "DCD791", "无刷锂电电钻", "18V", 1399),
    _M("PT-DRILL", "东成", "DCJZ1202", "锂电电钻", "12V", 299),
    _M("PT-DRILL", "东成", "DCJZ23-10", "无刷锂电电钻", "20V", 499),
    _M("PT-DRILL", "东成", "J1Z-FF02-10A", "手电钻", "500W", 139),
    _M("PT-DRILL", "大艺", "A3-12", "锂电电钻", "12V", 239),
    _M("PT-DRILL", "威克士", "WU130X", "锂电电钻", "12V", 349),
    _M("PT-DRILL", "米沃奇", "M12 FDD2", "无刷锂电电钻", "12V", 1299),
    _M("PT-IMPACT", "博世", "GSB 18V-50", "锂电冲击钻", "18V", 1199),
    _M("PT-IMPACT", "博世", "GSB 550", "冲击钻", "550W", 299),
    _M("PT-IMPACT", "牧田", "DHP485", "无刷锂电冲击钻", "18V", 1399),
    _M("PT-IMPACT", "牧田", "HP1630", "冲击钻", "710W", 399),
    _M("PT-IMPACT", "得伟", "DCD996", "无刷锂电冲击钻", "18V", 1899),
    _M("PT-IMPACT", "得伟", "DWD024", "冲击钻", "650W", 349),
    _M("PT-IMPACT", "东成", "Z1J-FF02-13", "冲击钻", "710W", 199),
    _M("PT-IMPACT", "东成", "DCJZ2050", "锂电冲击钻", "20V", 599),
    _M("PT-IMPACT", "大艺", "A6-20", "锂电冲击钻", "20V", 399),
    _M("PT-IMPACT", "威克士", "WU175", "无刷锂电冲击钻", "20V", 899),
    _M("PT-IMPACT", "米沃奇", "M18 FPD3", "无刷锂电冲击钻", "18V", 2499),
    _M("PT-IMPACT", "锐奇", "KEN 6513ER", "冲击钻", "650W", 229),
    _M("PT-HAMMER", "博世", "GBH 2-26", "电锤", "800W", 899),
    _M("PT-HAMMER", "博世", "GBH 180-LI", "无刷锂电电锤", "18V", 1699),
    _M("PT-HAMMER", "牧田", "HR2630", "电锤", "800W", 999),
    _M("PT-HAMMER", "牧田", "DHR242", "无刷锂电电锤", "18V", 2199),
    _M("PT-HAMMER", "得伟", "D25133", "电锤", "800W", 899),
    _M("PT-HAMMER", "东成", "Z1C-FF03-26", "电锤", "880W", 399),
    _M("PT-HAMMER", "大艺", "A7-26", "锂电电锤", "20V", 699),
    _M("PT-HAMMER", "锐奇", "KEN 2526", "电锤", "850W", 429),
    _M("PT-HAMMER", "米沃奇", "M18 FHX", "无刷锂电电锤", "18V", 2999),
    _M("PT-GRINDER", "博世", "GWS 700", "角磨机", "710W", 269),
    _M("PT-GRINDER", "博世", "GWS 180-LI", "无刷锂电角磨机", "18V", 999),
    _M("PT-GRINDER", "牧田", "9553B", "角磨机", "710W", 329),
    _M("PT-GRINDER", "牧田", "DGA404", "无刷锂电角磨机", "18V", 1299),
    _M("PT-GRINDER", "得伟", "DWE8200", "角磨机", "850W", 349),
    _M("PT-GRINDER", "得伟", "DCG405", "无刷锂电角磨机", "18V", 1399),
    _M("PT-GRINDER", "东成", "S1M-FF03-100A", "角磨机", "850W", 149),
    _M("PT-GRINDER", "东成", "DCSM02-100", "锂电角磨机", "20V", 449),
    _M("PT-GRINDER", "大艺", "A5-100", "锂电角磨机", "20V", 299),
    _M("PT-GRINDER", "锐奇", "KEN 9100A", "角磨机", "750W", 169),
    _M("PT-GRINDER", "威克士", "WU800", "锂电角磨机", "20V", 499),
    _M("PT-GRINDER", "米沃奇", "M18 FSAG", "无刷锂电角磨机", "18V", 1999),
    _M("PT-CIRC", "博世", "GKS 190", "电圆锯", "1400W", 699),
    _M("PT-CIRC", "牧田", "HS7010", "电圆锯", "1600W", 799),
    _M("PT-CIRC", "牧田", "DHS680", "无刷锂电电圆锯", "18V", 1899),
    _M("PT-CIRC", "得伟", "DWE561", "电圆锯", "1200W", 749),
    _M("PT-CIRC", "东成", "M1Y-FF02-185", "电圆锯", "1200W", 349),
    _M("PT-CIRC", "威克士", "WU535", "锂电电圆锯", "20V", 899),
    _M("PT-JIG", "博世", "GST 8000 E", "曲线锯", "710W", 499),
    _M("PT-JIG", "博世", "GST 18V-LI", "锂电曲线锯", "18V", 1499),
    _M("PT-JIG", "牧田", "4329", "曲线锯", "450W", 499),
    _M("PT-JIG", "得伟", "DW349", "曲线锯", "500W", 599),
    _M("PT-JIG", "东成", "M1Q-FF02-65", "曲线锯", "600W", 229),
    _M("PT-JIG", "威克士", "WU543", "锂电曲线锯", "20V", 599),
    _M("PT-RECIP", "博世", "GSA 1100 E", "往复锯", "1100W", 899),
    _M("PT-RECIP", "牧田", "JR3051T", "往复锯", "1200W", 899),
    _M("PT-RECIP", "得伟", "DCS367", "无刷锂电往复锯", "18V", 1899),
    _M("PT-RECIP", "东成", "J1F-FF-30", "往复锯", "1010W", 399),
    _M("PT-RECIP", "威克士", "WX500", "锂电往复锯", "20V", 699),
    _M("PT-WRENCH", "博世", "GDS 18V-400", "锂电扳手", "18V", 1599),
    _M("PT-WRENCH", "牧田", "DTW300", "无刷锂电扳手", "18V", 1799),
    _M("PT-WRENCH", "得伟", "DCF880", "锂电扳手", "18V", 1499),
    _M("PT-WRENCH", "东成", "DCPB298", "无刷锂电扳手", "20V", 599),
    _M("PT-WRENCH", "大艺", "A3-2106", "无刷锂电扳手", "20V", 399),
    _M("PT-WRENCH", "威克士", "WU279", "无刷锂电扳手", "20V", 799),
    _M("PT-WRENCH", "米沃奇", "M18 FHIWF12", "无刷锂电扳手", "18V", 2999),
    _M("PT-WRENCH", "锐奇", "KEN 6518", "锂电扳手", "20V", 499),
    _M("PT-DRIVER", "博世", "GDR 120-LI", "锂电起子机", "12V", 899),
    _M("PT-DRIVER", "牧田", "TD110D", "锂电起子机", "12V", 999),
    _M("PT-DRIVER", "得伟", "DCF887", "无刷锂电起子机", "18V", 1499),
    _M("PT-DRIVER", "东成", "DCPL02-8", "锂电起子机", "12V", 399),
    _M("PT-DRIVER", "米沃奇", "M12 FID", "无刷锂电起子机", "12V", 1499),
    _M("PT-SANDER", "博世", "GSS 2300", "砂光机", "190W", 399),
    _M("PT-SANDER", "牧田", "BO4556", "砂光机", "200W", 399),
    _M("PT-SANDER", "得伟", "DWE6423", "圆盘砂光机", "280W", 599),
    _M("PT-SANDER", "东成", "S1B-FF-110X100", "砂光机", "240W", 199),
    _M("PT-HEAT", "博世", "GHG 18-60", "热风枪", "1800W", 349),
    _M("PT-HEAT", "牧田", "HG6031VK", "热风枪", "1800W", 499),
    _M("PT-HEAT", "得伟", "D26411", "热风枪", "1800W", 449),
    _M("PT-HEAT", "东成", "Q1B-FF-2000", "热风枪", "2000W", 149),
    _M("CL-VAC", "博世", "GAS 15", "干湿两用吸尘器", "1100W", 999),
    _M("CL-VAC", "牧田", "VC2012L", "干湿两用吸尘器", "1000W", 1299),
    _M("CL-VAC", "东成", "FF-20L", "工业吸尘器", "1200W", 399),
    _M("GD-MOWER", "博世", "ARM 34", "电动割草机", "1300W", 1299),
    _M("GD-MOWER", "牧田", "DLM380", "锂电割草机", "18V", 2999),
    _M("GD-MOWER", "牧田", "DUR181", "锂电打草机", "18V", 799),
    _M("GD-MOWER", "威克士", "WG779E", "无刷锂电割草机", "20V", 1999),
    _M("GD-MOWER", "东成", "DCCG01-380", "锂电割草机", "20V", 1299),
    _M("GD-HEDGE", "博世", "AHS 50-20 LI", "锂电绿篱机", "18V", 999),
    _M("GD-HEDGE", "牧田", "DUH523", "锂电绿篱机", "18V", 1499),
    _M("GD-HEDGE", "威克士", "WG261E", "锂电绿篱机", "20V", 899),
    _M("GD-HEDGE", "东成", "DCYD-510", "绿篱机", "550W", 399),
    _M("GD-WASHER", "博世", "EasyAquatak 110", "高压清洗机", "1300W", 799),
    _M("GD-WASHER", "博世", "UniversalAquatak 130", "高压清洗机", "1700W", 1299),
    _M("GD-WASHER", "卡赫", "K2 Compact", "高压清洗机", "1400W", 799),
    _M("GD-WASHER", "卡赫", "K3 Full Control", "高压清洗机", "1600W", 1299),
    _M("GD-WASHER", "卡赫", "K5 Premium", "高压清洗机", "2100W", 2599),
    _M("GD-WASHER", "威克士", "WG630E", "锂电高压清洗机", "20V", 899),
    _M("GD-WASHER", "东成", "DCQX-110", "高压清洗机", "1400W", 499),
    _M("GD-CHAIN", "牧田", "DUC254", "无刷锂电链锯", "18V", 1999),
    _M("GD-CHAIN", "博世", "AKE 35", "电链锯", "1800W", 899),
    _M("GD-CHAIN", "威克士", "WG384E", "锂电链锯", "20V", 1299),
    _M("GD-CHAIN", "东成", "M1L-FF-405", "电链锯", "2000W", 499),
    # Single-variant items: power is the whole spec.
    _M("MS-LASER", "博世", "GLL 3-15X", "激光水平仪", "3线红光", 899),
    _M("MS-LASER", "博世", "GLL 3-80", "激光水平仪", "12线绿光", 2199),
    _M("MS-LASER", "得伟", "DW088K", "激光水平仪", "2线红光", 1499),
    _M("MS-LASER", "莱赛", "LS659", "激光水平仪", "5线绿光", 699),
    _M("MS-LASER", "大艺", "A-12G", "激光水平仪", "12线绿光", 399),
    _M("MS-RANGE", "博世", "GLM 40", "激光测距仪", "40m", 499),
    _M("MS-RANGE", "博世", "GLM 50-27 CG", "激光测距仪", "50m 绿光", 1199),
    _M("MS-RANGE", "莱赛", "LDM-60", "激光测距仪", "60m", 299),
    _M("MS-RANGE", "得力", "DL4168", "激光测距仪", "50m", 199),
    _M("MS-DETECT", "博世", "GMS 120", "墙体探测仪", "金属/木材/带电线", 699),
    _M("MS-DETECT", "博世", "D-tect 120", "墙体探测仪", "雷达 120mm", 3999),
    _M("BT-PACK", "博世", "GBA 18V 2.0Ah", "锂电池包", "18V 2.0Ah", 399),
    _M("BT-PACK", "博世", "GBA 18V 4.0Ah", "锂电池包", "18V 4.0Ah", 699),
    _M("BT-PACK", "博世", "GBA 12V 2.0Ah", "锂电池包", "12V 2.0Ah", 299),
    _M("BT-PACK", "牧田", "BL1820B", "锂电池包", "18V 2.0Ah", 499),
    _M("BT-PACK", "牧田", "BL1850B", "锂电池包", "18V 5.0Ah", 899),
    _M("BT-PACK", "牧田", "BL1041B", "锂电池包", "12V 4.0Ah", 599),
    _M("BT-PACK", "得伟", "DCB183", "锂电池包", "18V 2.0Ah", 499),
    _M("BT-PACK", "得伟", "DCB184", "锂电池包", "18V 5.0Ah", 899),
    _M("BT-PACK", "米沃奇", "M18 B5", "锂电池包", "18V 5.0Ah", 999),
    _M("BT-PACK", "米沃奇", "M12 B2", "锂电池包", "12V 2.0Ah", 399),
    _M("BT-PACK", "东成", "FFBL2040", "锂电池包", "20V 4.0Ah", 299),
    _M("BT-PACK", "大艺", "A-20V-6.0", "锂电池包", "20V 6.0Ah", 269),
    _M("BT-PACK", "威克士", "WA3551", "锂电池包", "20V 2.0Ah", 259),
    _M("BT-PACK", "锐奇", "KEN 2040", "锂电池包", "20V 4.0Ah", 259),
    _M("BT-CHARGER", "博世", "GAL 18V-40", "快速充电器", "18V 4A", 399),
    _M("BT-CHARGER", "牧田", "DC18RC", "快速充电器", "18V 9A", 459),
    _M("BT-CHARGER", "得伟", "DCB115", "充电器", "18V 4A", 399),
    _M("BT-CHARGER", "米沃奇", "M12-18 FC", "快速充电器", "12V/18V", 599),
    _M("BT-CHARGER", "东成", "FFCL20-01", "充电器", "20V 2A", 99),
    _M("BT-CHARGER", "大艺", "A-20V-C", "充电器", "20V 3A", 89),
    _M("BT-CHARGER", "威克士", "WA3880", "充电器", "20V 2A", 129),
    _M("CL-FAN", "牧田", "DCF102", "锂电风扇", "18V 裸机", 599),
    _M("CL-FAN", "得伟", "DCE512", "锂电风扇", "18V 裸机", 699),
    _M("CL-FAN", "东成", "FF-400", "工业落地扇", "400mm 180W", 229),
    _M("CL-FAN", "东成", "FF-650", "工业落地扇", "650mm 260W", 359),
    _M("CL-FAN", "大艺", "A-F20", "锂电风扇", "20V 裸机", 199),
)

_G = GoodsSeed
GOODS: tuple[GoodsSeed, ...] = (
    _G("HT-WRENCH", "活动扳手", ("世达", "史丹利", "长城精工", "力易得"),
       (("8寸 200mm", 39), ("10寸 250mm", 49), ("12寸 300mm", 69)), "把"),
    _G("HT-WRENCH", "双头呆扳手套装", ("世达", "史丹利", "绿林"),
       (("8件套 6-22mm", 139), ("10件套 6-32mm", 239)), "套"),
    _G("HT-WRENCH", "内六角扳手套装", ("世达", "长城精工", "力易得"),
       (("9件套 公制", 39), ("9件套 加长球头", 59)), "套"),
    _G("HT-SCREW", "螺丝刀套装", ("世达", "史丹利", "绿林", "得力"),
       (("6件套 一字十字", 49), ("32合1 精密批头", 69)), "套"),
    _G("HT-SCREW", "十字螺丝刀", ("世达", "史丹利", "力易得"),
       (("PH1×100mm", 15), ("PH2×150mm", 19)), "把"),
    _G("HT-PLIER", "钢丝钳", ("世达", "史丹利", "长城精工", "力易得"),
       (("7寸", 45), ("8寸", 55)), "把"),
    _G("HT-PLIER", "尖嘴钳", ("世达", "史丹利", "绿林"), (("6寸", 35), ("8寸", 45)), "把"),
    _G("HT-PLIER", "剥线钳", ("世达", "长城精工", "绿林"), (("7寸 多功能", 39),), "把"),
    _G("HT-PLIER", "水泵钳", ("世达", "力易得"), (("10寸", 59), ("12寸", 75)), "把"),
    _G("HT-HAMMER", "羊角锤", ("史丹利", "世达", "长城精工"),
       (("16oz 钢柄", 59), ("20oz 纤维柄", 79)), "把"),
    _G("HT-HAMMER", "橡胶锤", ("世达", "力易得"), (("40mm", 25), ("60mm", 35)), "把"),
    _G("HT-HAMMER", "八角锤", ("长城精工", "绿林"), (("2磅", 35), ("4磅", 49)), "把"),
    _G("HT-TAPE", "钢卷尺", ("史丹利", "田岛", "得力", "长城精工"),
       (("3m×16mm", 19), ("5m×19mm", 29), ("7.5m×25mm", 45)), "把"),
    _G("HT-TAPE", "纤维皮尺", ("田岛", "史丹利"), (("30m", 49), ("50m", 69)), "把"),
    _G("HT-SET", "家用工具套装", ("世达", "史丹利", "得力", "绿林"),
       (("18件套", 129), ("46件套", 259), ("120件套", 599)), "套"),
    _G("HT-SET", "电工工具套装", ("世达", "长城精工"), (("12件套 绝缘", 299),), "套"),
    _G("HT-KNIFE", "美工刀", ("史丹利", "田岛", "得力"),
       (("18mm 自锁", 19), ("25mm 重型", 35)), "把"),
    _G("HT-SOCKET", "套筒扳手套装", ("世达", "史丹利", "长城精工"),
       (("1/4寸 46件套", 169), ("1/2寸 24件套", 329)), "套"),
    _G("HT-SOCKET", "风炮套筒", ("世达", "力易得"),
       (("1/2寸 17mm", 29), ("1/2寸 21mm", 35)), "个"),
    _G("CS-BITS", "麻花钻头套装", ("博世", "得伟", "世达", "东成", "大艺"),
       (("13件套 高速钢", 49), ("19件套 含钴", 129)), "套"),
    _G("CS-BITS", "电锤钻头", ("博世", "牧田", "得伟", "东成"),
       (("SDS-Plus 6×110mm", 15), ("SDS-Plus 8×160mm", 19), ("SDS-Plus 5支装", 79)), "支"),
    _G("CS-BITS", "批头套装", ("博世", "牧田", "得伟", "米沃奇"),
       (("PH2×50mm 10支", 39), ("32件 冲击批头", 119)), "套"),
    _G("CS-DISC", "树脂切割片", ("博世", "东成", "大艺", "锐奇"),
       (("105×1.2mm 10片装", 29), ("105×1.2mm 50片装", 119)), "盒"),
    _G("CS-DISC", "金刚石云石片", ("博世", "东成", "大艺", "牧田"),
       (("110mm 干切", 25), ("125mm 湿切", 39)), "片"),
    _G("CS-DISC", "百叶片", ("博世", "东成", "锐奇"),
       (("100mm 60目 10片", 39), ("100mm 80目 10片", 39)), "盒"),
    _G("CS-SAND", "砂纸", ("3M", "博世", "得力"),
       (("240目 10张", 15), ("400目 10张", 15), ("800目 10张", 18)), "包"),
    _G("CS-SAND", "植绒砂纸圆片", ("博世", "牧田", "3M"), (("125mm 120目 50片", 69),), "盒"),
    _G("CS-BLADE", "圆锯片", ("博世", "牧田", "得伟"),
       (("7寸 40齿 木工", 89), ("7寸 60齿 铝材", 129)), "片"),
    _G("CS-BLADE", "曲线锯条", ("博世", "得伟", "牧田"),
       (("T111C 5支装", 39), ("T118A 金属 5支装", 45)), "盒"),
    _G("CS-BLADE", "马刀锯条", ("博世", "米沃奇", "得伟"),
       (("木工 150mm 5支", 49), ("金属 150mm 5支", 59)), "盒"),
    _G("CS-BRUSH", "碳刷", ("博世", "牧田", "东成", "锐奇"),
       (("6×10mm 1对", 12), ("7×17mm 1对", 18)), "对"),
    _G("PP-GLOVE", "丁腈涂掌手套", ("3M", "霍尼韦尔", "世达"),
       (("M码 12双", 59), ("L码 12双", 59)), "包"),
    _G("PP-GLOVE", "防割手套", ("霍尼韦尔", "3M"), (("5级 L码", 39),), "双"),
    _G("PP-EYE", "防护眼镜", ("3M", "霍尼韦尔", "世达"),
       (("防雾 透明", 29), ("防冲击 茶色", 35)), "副"),
    _G("PP-MASK", "防尘口罩", ("3M", "霍尼韦尔"),
       (("KN95 头戴式 50只", 129), ("KN90 耳戴式 20只", 39)), "盒"),
    _G("PP-MASK", "防毒面具套装", ("3M", "霍尼韦尔"), (("半面罩 含滤盒", 169),), "套"),
    _G("PP-HELMET", "安全帽", ("3M", "霍尼韦尔", "世达"),
       (("ABS 白色", 49), ("ABS 红色", 49), ("透气型 蓝色", 69)), "顶"),
    _G("PP-HELMET", "反光背心", ("3M", "世达"), (("荧光黄 均码", 19),), "件"),
    _G("HW-SCREW", "自攻螺丝", ("晋亿", "喜利得", "得力"),
       (("M4×25 十字 200只", 29), ("M4×40 十字 100只", 25), ("M5×50 沉头 100只", 35)), "盒"),
    _G("HW-SCREW", "不锈钢螺栓螺母", ("晋亿", "得力"),
       (("M6 304不锈钢 50套", 39), ("M8 304不锈钢 30套", 45)), "盒"),
    _G("HW-ANCHOR", "膨胀螺栓", ("喜利得", "晋亿"),
       (("M8×80 20只", 29), ("M10×100 10只", 35), ("M12×120 10只", 49)), "盒"),
    _G("HW-ANCHOR", "塑料膨胀管", ("晋亿", "得力"),
       (("6mm 100只", 9.9), ("8mm 100只", 12.9)), "包"),
    _G("HW-HINGE", "不锈钢合页", ("东泰", "得力"), (("4寸 2只", 19), ("5寸 2只", 25)), "副"),
    _G("HW-HINGE", "阻尼铰链", ("百隆", "东泰"), (("全盖 直臂", 29), ("半盖 中弯", 29)), "个"),
    _G("HW-SEAL", "生料带", ("得力", "3M"), (("20m 10卷", 15),), "包"),
    _G("HW-SEAL", "电工胶布", ("3M", "得力"),
       (("18mm×10m 黑色", 5.9), ("18mm×20m 10卷", 59)), "件"),
    _G("HW-SEAL", "中性玻璃胶", ("得力",), (("透明 300ml", 19), ("防霉白色 300ml", 25)), "支"),
)

# Accessories offered with a tool: categories searched for each machine category.
ACCESSORY_CATEGORIES: dict[str, tuple[str, ...]] = {
    "PT-DRILL": ("CS-BITS", "BT-PACK"), "PT-IMPACT": ("CS-BITS", "BT-PACK"),
    "PT-HAMMER": ("CS-BITS", "CS-BRUSH", "BT-PACK"), "PT-GRINDER": ("CS-DISC", "CS-BRUSH"),
    "PT-CIRC": ("CS-BLADE",), "PT-JIG": ("CS-BLADE",), "PT-RECIP": ("CS-BLADE",),
    "PT-WRENCH": ("HT-SOCKET", "BT-PACK"), "PT-DRIVER": ("CS-BITS", "BT-PACK"),
    "PT-SANDER": ("CS-SAND",), "GD-MOWER": ("BT-PACK",), "GD-HEDGE": ("BT-PACK",),
    "GD-CHAIN": ("BT-PACK", "PP-EYE"), "BT-PACK": ("BT-CHARGER",), "MS-LASER": ("HT-TAPE",),
}

# Month-by-month demand factors for seasonal categories (January first).
SEASONAL_DEMAND: dict[str, tuple[float, ...]] = {
    "GD-MOWER": (0.3, 0.5, 2.5, 3.5, 3.5, 2.0, 1.5, 1.5, 1.5, 1.2, 0.5, 0.3),
    "GD-HEDGE": (0.3, 0.5, 2.5, 3.5, 3.0, 2.0, 1.5, 1.5, 1.5, 1.2, 0.5, 0.3),
    "GD-CHAIN": (0.8, 0.8, 2.0, 2.0, 1.5, 1.0, 0.8, 0.8, 1.2, 1.5, 1.2, 1.0),
    "GD-WASHER": (0.5, 0.8, 1.0, 1.3, 1.8, 3.5, 4.0, 3.5, 1.5, 0.8, 0.6, 0.5),
    "CL-FAN": (0.1, 0.1, 0.3, 0.8, 2.0, 4.0, 5.0, 4.0, 1.5, 0.4, 0.1, 0.1),
    "PT-HEAT": (1.8, 1.5, 1.0, 0.8, 0.7, 0.6, 0.6, 0.7, 0.8, 1.0, 1.3, 1.8),
}
# fmt: on
