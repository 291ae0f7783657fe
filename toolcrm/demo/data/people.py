"""Names and occupations: surnames with their approximate share of the population (and pinyin,
for e-mail addresses), given-name characters, occupations of tool buyers, and the parts of
company names and contact titles."""

from __future__ import annotations

# fmt: off
# (surname, pinyin, share of the population in per mille); 欧阳 for a compound surname.
SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("王", "wang", 72.5), ("李", "li", 71.9), ("张", "zhang", 69.2), ("刘", "liu", 53.8),
    ("陈", "chen", 46.1), ("杨", "yang", 30.8), ("黄", "huang", 22.4), ("赵", "zhao", 21.2),
    ("吴", "wu", 19.9), ("周", "zhou", 19.5), ("徐", "xu", 15.3), ("孙", "sun", 15.1),
    ("马", "ma", 12.8), ("朱", "zhu", 12.4), ("胡", "hu", 11.9), ("郭", "guo", 11.6),
    ("何", "he", 10.5), ("高", "gao", 10.3), ("林", "lin", 10.1), ("罗", "luo", 8.6),
    ("郑", "zheng", 8.3), ("梁", "liang", 8.3), ("谢", "xie", 7.1), ("宋", "song", 6.8),
    ("唐", "tang", 6.6), ("许", "xu", 6.3), ("韩", "han", 6.1), ("冯", "feng", 5.9),
    ("邓", "deng", 5.7), ("曹", "cao", 5.5), ("彭", "peng", 5.4), ("曾", "zeng", 5.3),
    ("肖", "xiao", 5.2), ("田", "tian", 5.1), ("董", "dong", 5.0), ("袁", "yuan", 4.9),
    ("潘", "pan", 4.8), ("于", "yu", 4.7), ("蒋", "jiang", 4.6), ("蔡", "cai", 4.5),
    ("余", "yu", 4.4), ("杜", "du", 4.3), ("叶", "ye", 4.2), ("程", "cheng", 4.1),
    ("苏", "su", 4.0), ("魏", "wei", 3.9), ("吕", "lv", 3.8), ("丁", "ding", 3.7),
    ("任", "ren", 3.6), ("沈", "shen", 3.5), ("姚", "yao", 3.4), ("卢", "lu", 3.3),
    ("姜", "jiang", 3.2), ("崔", "cui", 3.1), ("钟", "zhong", 3.0), ("谭", "tan", 2.9),
    ("陆", "lu", 2.8), ("汪", "wang", 2.7), ("范", "fan", 2.6), ("金", "jin", 2.5),
    ("石", "shi", 2.4), ("廖", "liao", 2.3), ("贾", "jia", 2.2), ("夏", "xia", 2.1),
    ("韦", "wei", 2.0), ("付", "fu", 1.9), ("方", "fang", 1.8), ("白", "bai", 1.7),
    ("邹", "zou", 1.7), ("孟", "meng", 1.6), ("熊", "xiong", 1.6), ("秦", "qin", 1.5),
    ("邱", "qiu", 1.5), ("江", "jiang", 1.5), ("尹", "yin", 1.4), ("薛", "xue", 1.4),
    ("闫", "yan", 1.3), ("段", "duan", 1.3), ("雷", "lei", 1.2), ("侯", "hou", 1.2),
    ("龙", "long", 1.2), ("史", "shi", 1.1), ("陶", "tao", 1.1), ("黎", "li", 1.1),
    ("贺", "he", 1.0), ("顾", "gu", 1.0), ("毛", "mao", 1.0), ("郝", "hao", 0.9),
    ("龚", "gong", 0.9), ("邵", "shao", 0.9), ("万", "wan", 0.9), ("钱", "qian", 0.8),
    ("严", "yan", 0.8), ("覃", "qin", 0.8), ("武", "wu", 0.8), ("戴", "dai", 0.8),
    ("莫", "mo", 0.7), ("孔", "kong", 0.7), ("欧阳", "ouyang", 0.3),
)

# Surnames that are clearly more (or less) common in one region than nationally.
REGIONAL_SURNAME_FACTORS: dict[str, dict[str, float]] = {
    "EAST": {"徐": 1.6, "沈": 2.2, "陆": 2.2, "顾": 2.6, "钱": 2.2, "朱": 1.4, "周": 1.3,
             "吴": 1.4, "蒋": 1.5, "梁": 0.5, "覃": 0.2, "韦": 0.3},
    "SOUTH": {"陈": 1.9, "黄": 2.1, "梁": 2.6, "林": 1.7, "何": 1.6, "罗": 1.6, "邓": 1.6,
              "冯": 1.5, "谭": 1.8, "张": 0.8, "王": 0.6, "刘": 0.8},
}

# Given-name characters with pinyin ("伟wei"), separated by spaces: men's, women's.
MALE_GIVEN = (
    "伟wei 强qiang 磊lei 军jun 勇yong 杰jie 涛tao 斌bin 超chao 明ming 刚gang 平ping 辉hui "
    "鹏peng 华hua 飞fei 鑫xin 波bo 宇yu 浩hao 凯kai 健jian 俊jun 帆fan 旭xu 宁ning 龙long "
    "林lin 阳yang 建jian 国guo 志zhi 海hai 峰feng 文wen 东dong 新xin 家jia 博bo 子zi 晨chen "
    "泽ze 天tian 成cheng 永yong 德de 福fu 荣rong 春chun 立li 金jin 亮liang 兵bing 振zhen "
    "宏hong 毅yi 彬bin 睿rui 航hang 锋feng 庆qing 良liang 义yi 胜sheng"
)
FEMALE_GIVEN = (
    "芳fang 娜na 敏min 静jing 丽li 艳yan 燕yan 霞xia 玲ling 婷ting 雪xue 慧hui 颖ying 琳lin "
    "晶jing 洁jie 红hong 梅mei 莉li 倩qian 欣xin 怡yi 佳jia 悦yue 雯wen 璐lu 萍ping 兰lan "
    "秀xiu 英ying 月yue 琴qin 丹dan 瑶yao 楠nan 晓xiao 思si 雨yu 诗shi 可ke 嘉jia 彤tong "
    "凤feng 云yun 春chun 桂gui 玉yu 小xiao"
)

# (occupation, weight, buys like a tradesman); "" = not recorded.
OCCUPATIONS: tuple[tuple[str, float, bool], ...] = (
    ("家庭用户", 30, False), ("装修师傅", 8, True), ("水电工", 8, True), ("木工", 5, True),
    ("电工", 5, True), ("油漆工", 3, True), ("瓦工", 2, True), ("汽修师傅", 3, True),
    ("物业维修工", 3, True), ("工厂采购", 3, True), ("个体工商户", 4, False),
    ("园艺爱好者", 3, False), ("DIY爱好者", 5, False), ("工程师", 3, False), ("教师", 2, False),
    ("退休", 4, False), ("", 9, False),
)

EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("qq.com", 45), ("163.com", 25), ("126.com", 10), ("139.com", 5), ("sina.com", 5),
    ("outlook.com", 5), ("foxmail.com", 5),
)

# Chinese mobile prefixes (China Mobile, Unicom, Telecom, including 17x/19x), weighted.
MOBILE_PREFIXES: tuple[tuple[str, float], ...] = (
    ("139", 8), ("138", 9), ("137", 6), ("136", 6), ("135", 6), ("134", 3), ("150", 5),
    ("151", 5), ("152", 4), ("157", 3), ("158", 5), ("159", 5), ("182", 4), ("183", 4),
    ("187", 5), ("188", 4), ("130", 4), ("131", 4), ("132", 3), ("155", 3), ("156", 4),
    ("185", 4), ("186", 5), ("133", 3), ("153", 3), ("180", 3), ("181", 3), ("189", 4),
    ("177", 3), ("173", 2), ("176", 2), ("178", 2), ("199", 3), ("191", 2), ("198", 2),
)

# Company names: a trade name of two characters from these lists, e.g. 鼎盛, 宏达, 恒通.
TRADE_NAME_FIRST = "鼎宏恒金华远锦永德众佳新嘉鸿振安顺盛兴瑞丰泰隆昌中通诚信和美创捷博卓凯"
TRADE_NAME_SECOND = "盛达通诚泰丰兴源利发隆昌宇祥瑞和鑫晟远信辉业建邦成茂安科"

# Company-name endings by CompanyType value.
COMPANY_SUFFIXES: dict[str, tuple[str, ...]] = {
    "renovation": ("装饰工程有限公司", "建筑装饰工程有限公司", "装饰设计工程有限公司",
                   "家居装饰有限公司"),
    "construction_crew": ("建筑劳务有限公司", "建设工程有限公司", "机电安装工程有限公司"),
    "property_management": ("物业管理有限公司", "物业服务有限公司"),
    "factory": ("精密机械有限公司", "五金制品有限公司", "电子科技有限公司", "模具有限公司",
                "家具制造有限公司", "汽车零部件有限公司"),
    "other": ("酒店管理有限公司", "建材商行", "园林绿化工程有限公司"),
}
# A construction crew is often a self-employed business: "张记水电施工队".
CREW_TRADES: tuple[str, ...] = ("水电", "装修", "木工", "防水", "钢结构", "幕墙")

COMPANY_TYPE_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("renovation", 35), ("construction_crew", 25), ("property_management", 15),
    ("factory", 20), ("other", 5),
)

CONTACT_TITLES: tuple[str, ...] = (
    "采购经理", "项目经理", "总经理", "财务", "工程部主管", "仓库主管", "行政主管",
    "设备科长", "物业经理", "施工队长",
)
# fmt: on
