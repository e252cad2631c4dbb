"""Reference data the generator draws from: cities, categories, brands, channels.

The regions and channels here are also the dbt seeds (seeds/regions.csv, seeds/channels.csv): a test checks
that the two agree, so the warehouse's reference data describes the lake the generator writes.
"""

from __future__ import annotations

# city, province, city_tier (1 = biggest), population weight
CITIES: list[tuple[str, str, int, float]] = [
    ("Beijing", "Beijing", 1, 9.0),
    ("Shanghai", "Shanghai", 1, 9.5),
    ("Guangzhou", "Guangdong", 1, 7.0),
    ("Shenzhen", "Guangdong", 1, 7.0),
    ("Chengdu", "Sichuan", 2, 6.0),
    ("Hangzhou", "Zhejiang", 2, 5.5),
    ("Wuhan", "Hubei", 2, 5.0),
    ("Nanjing", "Jiangsu", 2, 4.5),
    ("Chongqing", "Chongqing", 2, 5.5),
    ("Xian", "Shaanxi", 2, 4.0),
    ("Suzhou", "Jiangsu", 2, 4.0),
    ("Tianjin", "Tianjin", 2, 4.0),
    ("Changsha", "Hunan", 3, 3.0),
    ("Zhengzhou", "Henan", 3, 3.0),
    ("Qingdao", "Shandong", 3, 2.8),
    ("Kunming", "Yunnan", 3, 2.4),
    ("Hefei", "Anhui", 3, 2.4),
    ("Fuzhou", "Fujian", 3, 2.2),
    ("Nanning", "Guangxi", 4, 1.8),
    ("Lanzhou", "Gansu", 4, 1.5),
    ("Guilin", "Guangxi", 4, 1.2),
    ("Yichang", "Hubei", 4, 1.2),
    ("Mianyang", "Sichuan", 5, 1.0),
    ("Zunyi", "Guizhou", 5, 1.0),
]

REGION_OF_PROVINCE: dict[str, str] = {
    "Beijing": "North",
    "Tianjin": "North",
    "Shanghai": "East",
    "Jiangsu": "East",
    "Zhejiang": "East",
    "Anhui": "East",
    "Fujian": "East",
    "Shandong": "East",
    "Guangdong": "South",
    "Guangxi": "South",
    "Sichuan": "Southwest",
    "Chongqing": "Southwest",
    "Yunnan": "Southwest",
    "Guizhou": "Southwest",
    "Hubei": "Central",
    "Hunan": "Central",
    "Henan": "Central",
    "Shaanxi": "Northwest",
    "Gansu": "Northwest",
}

# category_l1, search keyword, lognormal mean of list price (CNY), affinity tilt for women, tilt for 25-34
CATEGORIES: list[tuple[str, str, float, float, float]] = [
    ("phones", "手机", 3200.0, 0.8, 1.0),
    ("computers", "笔记本", 5200.0, 0.7, 1.0),
    ("appliances", "空调", 2400.0, 1.0, 1.2),
    ("beauty", "口红", 260.0, 2.6, 1.1),
    ("apparel", "连衣裙", 320.0, 1.6, 1.0),
    ("food", "零食", 60.0, 1.1, 1.0),
    ("baby", "奶粉", 280.0, 1.4, 2.5),
    ("sports", "跑鞋", 480.0, 0.8, 1.0),
    ("books", "小说", 45.0, 1.1, 0.9),
    ("home", "收纳", 150.0, 1.2, 1.3),
]

AGE_BANDS: list[str] = ["18-24", "25-34", "35-44", "45-54", "55+"]
AGE_BAND_WEIGHTS: list[float] = [0.18, 0.34, 0.25, 0.14, 0.09]
AGE_BAND_YEARS: list[tuple[int, int]] = [(18, 24), (25, 34), (35, 44), (45, 54), (55, 70)]

# channel, group, is_online, is_paid: traffic sources, ad channels and message channels in one list.
CHANNELS: list[tuple[str, str, bool, bool]] = [
    ("organic", "owned", True, False),
    ("wechat", "social", True, True),
    ("douyin", "social", True, True),
    ("kuaishou", "social", True, True),
    ("baidu", "search", True, True),
    ("dsp", "display", True, True),
    ("offline_screen", "outdoor", False, True),
    ("sms", "messaging", True, False),
    ("edm", "messaging", True, False),
    ("store", "offline", False, False),
]

AD_CHANNELS: list[str] = ["dsp", "wechat", "douyin", "kuaishou", "baidu", "offline_screen"]
MESSAGE_CHANNELS: list[str] = ["sms", "edm"]
PLATFORMS: list[str] = ["app", "web", "miniprogram"]

BRANDS_PER_CATEGORY = 2
SKUS_PER_BRAND = 20
CRM_BRANDS = 8  # the first N brands run a membership programme

STORE_FORMATS: list[str] = ["flagship", "standard", "mini"]
MEMBER_TIERS: list[str] = ["normal", "silver", "gold", "platinum"]


def brand_rows() -> list[tuple[str, str, str]]:
    """(brand_id, brand_name, category_l1) for every brand."""
    rows = []
    n = 0
    for category, *_ in CATEGORIES:
        for k in range(BRANDS_PER_CATEGORY):
            n += 1
            rows.append((f"B{n:02d}", f"{category.title()}Brand{k + 1}", category))
    return rows
