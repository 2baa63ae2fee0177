"""The shape of the synthetic labour market: its cities, industries and pay."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shared.events.catalogue import TalentCategory
from shared.synthetic.taxonomy import Taxonomy


@dataclass(frozen=True)
class City:
    zh: str
    en: str
    division: str
    """Administrative division code (GB/T 2260), as in a credit code."""
    weight: float
    pay: float
    """Pay relative to a typical provincial capital."""


CITIES: tuple[City, ...] = (
    City("郑州", "Zhengzhou", "410100", 16, 1.00),
    City("洛阳", "Luoyang", "410300", 6, 0.85),
    City("安阳", "Anyang", "410500", 5, 0.80),
    City("新乡", "Xinxiang", "410700", 4, 0.80),
    City("南阳", "Nanyang", "411300", 4, 0.78),
    City("开封", "Kaifeng", "410200", 3, 0.80),
    City("武汉", "Wuhan", "420100", 8, 1.08),
    City("西安", "Xi'an", "610100", 7, 1.02),
    City("成都", "Chengdu", "510100", 8, 1.08),
    City("昆明", "Kunming", "530100", 5, 0.95),
    City("杭州", "Hangzhou", "330100", 7, 1.25),
    City("苏州", "Suzhou", "320500", 6, 1.20),
    City("深圳", "Shenzhen", "440300", 8, 1.40),
    City("广州", "Guangzhou", "440100", 6, 1.30),
    City("北京", "Beijing", "110108", 5, 1.45),
)
CANTONESE_CITIES = frozenset({"深圳", "广州"})

# How often each talent category is advertised, relative to the others in its industry.
CATEGORY_DEMAND = {
    TalentCategory.HIGH_SKILL: 1.6,
    TalentCategory.PROFESSIONAL_TECHNICAL: 1.0,
    TalentCategory.ENTERPRISE_MANAGEMENT: 0.5,
    TalentCategory.SOCIAL_WORK: 1.0,
    TalentCategory.PARTY_GOVERNMENT: 0.8,
    TalentCategory.RURAL_PRACTICAL: 1.0,
}
INDUSTRY_WEIGHTS: dict[str, float] = {
    "制造业": 20,
    "批发零售": 10,
    "信息技术": 8,
    "建筑业": 8,
    "交通物流": 7,
    "住宿餐饮": 8,
    "商务服务": 8,
    "医疗卫生": 6,
    "教育": 6,
    "金融": 4,
    "居民服务": 5,
    "农业": 3,
    "社会工作": 2,
    "公共管理": 2,
    "能源环保": 2,
    "文化传媒": 3,
}

# Typical monthly pay in CNY by education level (EducationLevel order), before
# experience, city and the talent category's premium.
_BASE_PAY = np.array([3_600, 4_200, 4_600, 5_600, 7_500, 11_000, 14_000], dtype=np.float64)
# TalentCategory order: party_government, enterprise_management, professional_technical,
# high_skill, social_work, rural_practical.
_CATEGORY_PREMIUM = np.array([0.95, 1.45, 1.10, 1.00, 0.85, 0.80], dtype=np.float64)
_PER_YEAR = 0.045
_MAX_YEARS_PAID = 15


def city_weights() -> npt.NDArray[np.float64]:
    weights = np.array([city.weight for city in CITIES], dtype=np.float64)
    return weights / float(weights.sum())


def city_pay() -> npt.NDArray[np.float64]:
    return np.array([city.pay for city in CITIES], dtype=np.float64)


def occupation_shares(taxonomy: Taxonomy) -> npt.NDArray[np.float64]:
    """Each occupation's share of all vacancies: its industry's weight split by category demand."""
    demand = [CATEGORY_DEMAND[item.category] for item in taxonomy.occupations]
    industry_total = dict.fromkeys(taxonomy.industries, 0.0)
    for item, weight in zip(taxonomy.occupations, demand, strict=True):
        industry_total[item.industry] += weight
    shares = np.array(
        [
            INDUSTRY_WEIGHTS[item.industry] * weight / industry_total[item.industry]
            for item, weight in zip(taxonomy.occupations, demand, strict=True)
        ]
    )
    return shares / float(shares.sum())


def market_pay(
    education: npt.NDArray[np.integer],
    category: npt.NDArray[np.integer],
    experience: npt.NDArray[np.integer],
    city: npt.NDArray[np.integer],
) -> npt.NDArray[np.float64]:
    """The going monthly pay for each row's education, talent category, years and city."""
    years = np.minimum(experience, _MAX_YEARS_PAID)
    pay: npt.NDArray[np.float64] = (
        _BASE_PAY[education] * _CATEGORY_PREMIUM[category] * (1 + _PER_YEAR * years) * city_pay()[city]
    )
    return pay


def round_pay(pay: npt.NDArray[np.float64]) -> npt.NDArray[np.int32]:
    """Pay as ads state it: whole hundreds below 10,000, whole five hundreds above."""
    step = np.where(pay < 10_000, 100, 500)
    return (np.round(pay / step) * step).astype(np.int32)
