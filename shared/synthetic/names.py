"""Word lists for names of people, organisations and schools, and drawing people's names."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# The most common surnames, roughly in order of frequency (drawn with Zipf-like weights).
SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_NAME_CHARACTERS = tuple(
    "子宇欣明佳浩思晨文杰嘉俊雨梓涵一诗博天轩睿宁安晓志海建华静婷伟强磊洋敏勇军平刚英玉兰芳秀娟红霞鹏飞鑫"
    "颖琳雪倩斌超亮辉凯旭阳丹春林峰涛波昊然若萱逸泽辰悦可怡航远帆清源新立正"
)
# Given names that do not suggest a gender, for the few profiles written in English.
ENGLISH_GIVEN_NAMES = (
    "Alex", "Jordan", "Sam", "Taylor", "Casey", "Jamie", "Robin", "Morgan",
    "Chris", "Kai", "Riley", "Avery", "Quinn", "Rowan", "Sky", "Eden",
)  # fmt: skip
ENGLISH_SURNAMES = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu",
)  # fmt: skip

BRAND_CHARACTERS = tuple("华宏鑫达恒泰瑞丰盛嘉联创新远博锦诚信安邦汇通中天宇航金辰德润智广兴祥源景昌隆卓越")

# Organisation names per industry: {city}, {brand} (two characters) and {n} (an ordinal).
ORGANISATION_PATTERNS: dict[str, tuple[str, ...]] = {
    "制造业": (
        "{city}{brand}精密机械有限公司",
        "{brand}智能装备股份有限公司",
        "{city}{brand}电子科技有限公司",
        "{brand}汽车零部件有限公司",
        "{city}{brand}纺织服饰有限公司",
        "{brand}食品有限公司",
    ),
    "信息技术": (
        "{city}{brand}科技有限公司",
        "{brand}软件股份有限公司",
        "{city}{brand}网络科技有限公司",
        "{brand}数据科技有限公司",
        "{brand}信息技术有限公司",
    ),
    "建筑业": (
        "{city}{brand}建设工程有限公司",
        "{brand}建筑安装工程有限公司",
        "{city}{brand}装饰工程有限公司",
        "{brand}路桥集团有限公司",
    ),
    "能源环保": (
        "{city}{brand}新能源有限公司",
        "{brand}环保科技有限公司",
        "{city}{brand}电力工程有限公司",
        "{city}{brand}水务有限公司",
    ),
    "批发零售": (
        "{city}{brand}商贸有限公司",
        "{brand}超市连锁有限公司",
        "{city}{brand}百货有限公司",
        "{brand}电子商务有限公司",
    ),
    "交通物流": (
        "{city}{brand}物流有限公司",
        "{brand}供应链管理有限公司",
        "{city}{brand}运输有限公司",
        "{brand}速运有限公司",
    ),
    "金融": (
        "{brand}银行{city}分行",
        "{city}{brand}保险代理有限公司",
        "{brand}证券{city}营业部",
        "{city}{brand}农村商业银行",
    ),
    "医疗卫生": (
        "{city}市第{n}人民医院",
        "{city}{brand}医院",
        "{brand}大药房连锁有限公司",
        "{city}{brand}口腔门诊部",
        "{brand}医疗科技有限公司",
    ),
    "教育": (
        "{city}市第{n}中学",
        "{city}{brand}教育科技有限公司",
        "{city}{brand}幼儿园",
        "{city}{brand}职业技术学院",
        "{city}市{brand}小学",
    ),
    "住宿餐饮": (
        "{brand}酒店管理有限公司",
        "{city}{brand}餐饮管理有限公司",
        "{city}{brand}大酒店",
        "{brand}国际旅行社有限公司",
    ),
    "农业": (
        "{city}{brand}农业科技有限公司",
        "{brand}农牧股份有限公司",
        "{city}{brand}种植专业合作社",
        "{brand}水产养殖有限公司",
    ),
    "社会工作": (
        "{city}{brand}社会工作服务中心",
        "{city}{brand}养老服务中心",
        "{city}{brand}社区服务中心",
        "{city}{brand}康复托养中心",
    ),
    "公共管理": (
        "{city}市人力资源和社会保障局",
        "{city}市政务服务中心",
        "{city}市市场监督管理局",
        "{city}市{brand}街道办事处",
        "{city}市公共就业服务中心",
    ),
    "商务服务": (
        "{city}{brand}人力资源服务有限公司",
        "{brand}律师事务所",
        "{brand}管理咨询有限公司",
        "{city}{brand}企业服务有限公司",
        "{city}{brand}房地产经纪有限公司",
    ),
    "文化传媒": (
        "{brand}文化传媒有限公司",
        "{city}{brand}广告有限公司",
        "{brand}出版社",
        "{city}{brand}影视制作有限公司",
    ),
    "居民服务": (
        "{brand}物业服务有限公司",
        "{city}{brand}家政服务有限公司",
        "{brand}汽车维修服务有限公司",
        "{city}{brand}美容美发有限公司",
        "{brand}健身管理有限公司",
    ),
}

ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")

# A few majors per industry, for education entries.
MAJORS: dict[str, tuple[str, ...]] = {
    "制造业": ("机械设计制造及其自动化", "材料成型及控制工程", "电气自动化技术", "数控技术"),
    "信息技术": ("计算机科学与技术", "软件工程", "数据科学与大数据技术", "通信工程"),
    "建筑业": ("土木工程", "建筑学", "工程造价", "建筑工程技术"),
    "能源环保": ("电气工程及其自动化", "环境工程", "能源与动力工程"),
    "批发零售": ("市场营销", "电子商务", "工商管理"),
    "交通物流": ("物流管理", "交通运输", "汽车运用与维修技术"),
    "金融": ("会计学", "金融学", "财务管理", "保险学"),
    "医疗卫生": ("临床医学", "护理学", "药学", "康复治疗学"),
    "教育": ("汉语言文学", "学前教育", "英语", "数学与应用数学"),
    "住宿餐饮": ("酒店管理", "烹饪与营养教育", "旅游管理"),
    "农业": ("农学", "动物科学", "园艺", "水产养殖学"),
    "社会工作": ("社会工作", "心理学", "老年服务与管理"),
    "公共管理": ("行政管理", "法学", "公共事业管理"),
    "商务服务": ("人力资源管理", "法学", "工商管理", "翻译"),
    "文化传媒": ("新闻学", "视觉传达设计", "数字媒体艺术"),
    "居民服务": ("物业管理", "人物形象设计", "汽车检测与维修技术"),
}

# Schools by the level they award ({city}, {n}); master's and doctoral degrees come from universities.
SCHOOL_PATTERNS: dict[str, tuple[str, ...]] = {
    "secondary": ("{city}市第{n}中学", "{city}市第{n}高级中学"),
    "vocational": ("{city}技师学院", "{city}高级技工学校", "{city}职业中等专业学校"),
    "associate": ("{city}职业技术学院", "{city}工业职业学院", "{city}商贸职业学院", "{city}医学高等专科学校"),
    "university": ("{city}大学", "{city}理工大学", "{city}师范大学", "{city}财经大学", "{city}医科大学"),
}

BENEFITS = (
    "五险一金", "带薪年假", "节日福利", "免费工作餐", "员工宿舍", "定期体检",
    "绩效奖金", "技能培训", "弹性工作", "交通补贴", "年终奖",
)  # fmt: skip


def draw_person_names(
    rng: np.random.Generator, count: int, english_share: float
) -> tuple[list[str], npt.NDArray[np.bool_]]:
    """``count`` display names, and which of them are written in English."""
    surname_weights = 1 / np.arange(1, len(SURNAMES) + 1) ** 0.8
    surname = rng.choice(len(SURNAMES), size=count, p=surname_weights / surname_weights.sum())
    first = rng.integers(0, len(GIVEN_NAME_CHARACTERS), size=count)
    second = np.where(rng.random(count) < 0.65, rng.integers(0, len(GIVEN_NAME_CHARACTERS), size=count), -1)
    english = rng.random(count) < english_share
    english_given = rng.integers(0, len(ENGLISH_GIVEN_NAMES), size=count)
    english_surname = rng.integers(0, len(ENGLISH_SURNAMES), size=count)
    names = [
        f"{ENGLISH_GIVEN_NAMES[given]} {ENGLISH_SURNAMES[family]}"
        if is_english
        else SURNAMES[family_zh]
        + GIVEN_NAME_CHARACTERS[one]
        + (GIVEN_NAME_CHARACTERS[two] if two >= 0 else "")
        for is_english, given, family, family_zh, one, two in zip(
            english.tolist(),
            english_given.tolist(),
            english_surname.tolist(),
            surname.tolist(),
            first.tolist(),
            second.tolist(),
            strict=True,
        )
    ]
    return names, english
