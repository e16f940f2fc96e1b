#!/usr/bin/env python3
"""Generate copylab's bundled sample workspace for the fictional tea brand
Shanlan Tea House / 山岚茶舍.

    python3 sample-data/gen.py [--out DIR] [--check]

Writes data/*.csv, brand.json and templates/*.tmpl under DIR (default: the folder
this script lives in). Python 3 standard library only; every random draw comes
from random.Random seeded with fixed numbers, so two runs give byte-identical
files. --check also fits two small predictors to the campaigns with 5-fold
cross-validation and prints how learnable the click rate is (see README.md).

Everything here is synthetic. Names, e-mail addresses and phone numbers are
plainly fake (example.com / example.cn, 555-01xx, 0000 ranges).
"""

import argparse
import csv
import datetime as dt
import json
import math
import os
import random
import re
import sys
import zlib

SEED = 20261129
AS_OF = dt.date(2026, 11, 20)          # "today" for recency and signup dates
BRAND_EN = "Shanlan Tea House"
BRAND_ZH = "山岚茶舍"


def rng_for(name):
    """One independent, fixed stream per data set, so editing one leaves the others."""
    return random.Random(SEED * 1000 + zlib.crc32(name.encode("utf-8")))


def weighted(rng, pairs):
    """Pick from [(value, weight), ...]."""
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for v, w in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][0]


def money(x):
    return "%.2f" % x


def iso(d):
    return d.isoformat()


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])


def zhe(pct):
    """20 -> '8折', 15 -> '85折' (Chinese discount notation)."""
    rest = 100 - pct
    return ("%d折" % (rest // 10)) if rest % 10 == 0 else ("%d折" % rest)


# ---------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------
# sku, category, name_en, name_zh, short_en, short_zh, list_price, discount_pct,
# features_en, features_zh, benefits_en, benefits_zh, launch_date, in_stock,
# notes_en, notes_zh (taste notes, used by reviews and campaign copy)
PRODUCTS = [
    ("SL-GRN-001", "green", "Pre-Qingming West Lake Longjing", "明前西湖龙井", "Longjing", "龙井", 368, 0,
     ["hand-picked before Qingming", "one bud and one leaf", "pan-fired by hand on Shifeng hill"],
     ["明前手工采摘", "一芽一叶", "狮峰山手工炒制"],
     "a sweet, chestnut-scented cup that stays bright for three infusions",
     "栗香鲜爽，三泡之后依然清甜", "2026-03-28", "yes",
     ["chestnut", "toasted bean", "spring grass"], ["栗香", "豆香", "鲜爽"]),
    ("SL-GRN-002", "green", "Dongting Biluochun", "洞庭碧螺春", "Biluochun", "碧螺春", 268, 10,
     ["tightly rolled spiral leaves", "grown among fruit orchards on Lake Tai", "picked in late March"],
     ["条索卷曲如螺", "太湖果园间生长", "三月下旬采摘"],
     "a floral, fruity green with a soft, silky finish",
     "花果香浓郁，入口柔滑", "2026-04-02", "yes",
     ["peach blossom", "fresh fruit", "orchid"], ["花果香", "清甜", "鲜嫩"]),
    ("SL-GRN-003", "green", "Huangshan Maofeng", "黄山毛峰", "Maofeng", "毛峰", 158, 0,
     ["downy buds from Huangshan at 800 m", "gently baked to lock in aroma", "whole, unbroken leaves"],
     ["黄山八百米高山嫩芽", "低温烘焙锁住香气", "芽叶完整"],
     "an orchid-sweet everyday green that never turns bitter",
     "兰香清幽，日常冲泡不苦不涩", "2026-04-10", "yes",
     ["orchid", "sweet pea", "honeysuckle"], ["兰花香", "清甜", "嫩香"]),
    ("SL-GRN-004", "green", "Anji Bai Cha", "安吉白茶", "Anji Bai Cha", "安吉白茶", 238, 0,
     ["pale jade leaves from Anji bamboo country", "rich in natural amino acids", "limited spring picking"],
     ["安吉竹乡的玉白嫩叶", "天然氨基酸含量高", "春季限量采摘"],
     "a brothy, umami-sweet cup with almost no astringency",
     "鲜爽甘醇，几乎没有涩感", "2026-04-05", "yes",
     ["umami", "sweet corn", "bamboo"], ["鲜爽", "甘醇", "清甜"]),
    ("SL-GRN-005", "green", "Xinyang Maojian", "信阳毛尖", "Maojian", "毛尖", 128, 15,
     ["fine, straight needles", "from the Dabie mountains", "roasted twice for a fuller body"],
     ["条索细直如针", "产自大别山", "两次烘焙，茶汤更饱满"],
     "a brisk, full-bodied green that stands up to a busy morning",
     "滋味浓醇，提神又耐泡", "2026-04-18", "yes",
     ["fresh-cut grass", "toasted rice", "chestnut"], ["栗香", "清香", "浓醇"]),
    ("SL-GRN-006", "green", "Lu'an Guapian", "六安瓜片", "Guapian", "瓜片", 198, 0,
     ["single leaves, no buds or stems", "fire-roasted over charcoal", "from Lu'an, Anhui"],
     ["单片成茶，无芽无梗", "炭火拉老火", "安徽六安原产"],
     "a toasty, mellow green with a long, sweet aftertaste",
     "火香馥郁，回甘悠长", "2026-05-06", "yes",
     ["toasted nut", "charcoal", "honey"], ["火香", "栗香", "回甘"]),
    ("SL-OOL-007", "oolong", "Anxi Tieguanyin", "安溪铁观音", "Tieguanyin", "铁观音", 188, 0,
     ["lightly oxidised, jade-green style", "hand-rolled into tight pearls", "autumn harvest from Anxi"],
     ["清香型轻发酵", "手工揉捻成颗粒", "安溪秋茶"],
     "an orchid-scented oolong you can steep six or seven times",
     "兰花香高扬，七泡有余香", "2025-10-20", "yes",
     ["orchid", "lilac", "cream"], ["兰花香", "音韵", "奶香"]),
    ("SL-OOL-008", "oolong", "Wuyi Da Hong Pao", "武夷大红袍", "Da Hong Pao", "大红袍", 398, 0,
     ["grown in the rocky Wuyi mountains", "traditional charcoal roast", "rested six months before release"],
     ["武夷山岩茶核心产区", "传统炭焙", "退火六个月后出厂"],
     "a deep, roasted oolong with a mineral finish that lingers",
     "焙火醇厚，岩韵悠长", "2025-11-01", "yes",
     ["roasted nut", "mineral", "dark honey"], ["岩韵", "焙火香", "醇厚"]),
    ("SL-OOL-009", "oolong", "Phoenix Dancong Honey Orchid", "凤凰单丛·蜜兰香", "Dancong", "单丛", 288, 12,
     ["single-bush oolong from Phoenix Mountain", "natural honey and orchid aroma", "medium roast"],
     ["潮州凤凰山单丛", "天然蜜兰香", "中度焙火"],
     "a juicy, perfumed oolong that fills the room as it brews",
     "蜜韵十足，满室生香", "2025-09-15", "yes",
     ["honey", "orchid", "apricot"], ["蜜兰香", "花香", "蜜韵"]),
    ("SL-OOL-010", "oolong", "Alishan High Mountain Oolong", "阿里山高山乌龙", "Alishan", "高山乌龙", 320, 0,
     ["grown above 1,200 m", "lightly oxidised", "hand-rolled"],
     ["海拔一千二百米以上", "轻发酵", "手工团揉"],
     "a creamy, buttery oolong with a clean mountain sweetness",
     "奶香绵密，山韵清甜", "2025-06-01", "yes",
     ["cream", "butter", "gardenia"], ["奶香", "花香", "清甜"]),
    ("SL-OOL-011", "oolong", "Oriental Beauty", "东方美人", "Oriental Beauty", "东方美人", 358, 0,
     ["leaves nibbled by tea jassids", "heavily oxidised oolong", "summer harvest"],
     ["小绿叶蝉叮咬的茶芽", "重发酵乌龙", "夏季采摘"],
     "a ripe-fruit, honeyed oolong with notes of muscat",
     "熟果蜜香，带一丝麝香葡萄的甜", "2025-08-08", "no",
     ["honey", "ripe peach", "muscat"], ["蜜香", "熟果香", "甜润"]),
    ("SL-BLK-012", "black", "Keemun Black Tea", "祁门红茶", "Keemun", "祁红", 168, 0,
     ["the classic Qimen aroma", "fine, tightly curled leaves", "from Qimen county, Anhui"],
     ["经典祁门香", "条索紧细", "安徽祁门原产"],
     "a smooth, malty black tea that is lovely with or without milk",
     "蜜糖香浓，清饮调饮都好喝", "2025-05-12", "yes",
     ["malt", "honey", "cocoa"], ["蜜糖香", "果香", "醇厚"]),
    ("SL-BLK-013", "black", "Wuyi Jin Jun Mei", "武夷金骏眉", "Jin Jun Mei", "金骏眉", 458, 0,
     ["made only from tender buds", "golden and black downy leaves", "small-batch from Tongmu village"],
     ["全芽头制作", "金黄黑相间的茸毫", "桐木关小批量"],
     "a honey-sweet, delicate black tea with a long finish",
     "花果蜜香，甜润细腻", "2025-05-20", "yes",
     ["honey", "sweet potato", "lychee"], ["蜜香", "薯香", "花果香"]),
    ("SL-BLK-014", "black", "Yunnan Dianhong Golden Buds", "滇红金芽", "Dianhong", "滇红", 148, 20,
     ["golden buds from old Fengqing trees", "big, bold leaves", "Yunnan large-leaf variety"],
     ["凤庆古树金芽", "芽叶肥壮", "云南大叶种"],
     "a rich, sweet black tea with notes of caramel",
     "甜润饱满，带焦糖香", "2025-06-18", "yes",
     ["caramel", "malt", "dried fruit"], ["焦糖香", "甜润", "麦芽香"]),
    ("SL-BLK-015", "black", "Lapsang Souchong", "正山小种", "Lapsang", "正山小种", 178, 0,
     ["pine-smoked the traditional way", "from Tongmu, Wuyi", "whole leaves"],
     ["传统松烟熏制", "武夷桐木关产区", "整叶"],
     "a smoky, longan-sweet black tea for cold evenings",
     "松烟香配桂圆甜，冬夜最宜", "2024-11-15", "yes",
     ["pine smoke", "longan", "dried fruit"], ["松烟香", "桂圆香", "甜醇"]),
    ("SL-WHT-016", "white", "Fuding Silver Needle", "福鼎白毫银针", "Silver Needle", "白毫银针", 428, 0,
     ["single buds covered in silver down", "sun-withered", "Fuding 2026 spring"],
     ["单芽满披白毫", "日光萎凋", "福鼎2026年春茶"],
     "a delicate, honeydew-sweet white tea that ages beautifully",
     "毫香蜜韵，清甜细腻，越存越香", "2026-04-12", "yes",
     ["honeydew", "fresh hay", "white flowers"], ["毫香", "蜜韵", "清甜"]),
    ("SL-WHT-017", "white", "White Peony", "白牡丹", "White Peony", "白牡丹", 198, 0,
     ["one bud and two leaves", "naturally withered", "Fuding, Fujian"],
     ["一芽两叶", "自然萎凋", "福建福鼎"],
     "a soft, floral white tea that is easy to brew and hard to ruin",
     "花香清雅，怎么泡都不苦", "2026-04-25", "yes",
     ["apricot", "meadow flowers", "hay"], ["花香", "清甜", "杏香"]),
    ("SL-WHT-018", "white", "2019 Shoumei Cake", "2019年寿眉饼", "Shoumei", "寿眉", 238, 0,
     ["pressed 350 g cake", "stored seven years in Fuding", "late-season leaves"],
     ["350克紧压茶饼", "福鼎仓储七年", "晚季叶片"],
     "a date-sweet aged white tea you can also simmer on the stove",
     "枣香明显，可泡可煮", "2024-09-01", "yes",
     ["dates", "dried herbs", "old wood"], ["枣香", "药香", "陈香"]),
    ("SL-PUE-019", "puerh", "2018 Menghai Ripe Pu-erh", "2018年勐海熟普", "Menghai Ripe Pu-erh", "熟普", 268, 0,
     ["357 g pressed cake", "fermented in Menghai", "aged eight years"],
     ["357克七子饼", "勐海发酵", "陈放八年"],
     "a dark, velvety brew with notes of dates and forest floor",
     "汤色红浓，入口顺滑，有枣香和陈香", "2024-10-10", "yes",
     ["dates", "forest floor", "dark chocolate"], ["陈香", "枣香", "顺滑"]),
    ("SL-PUE-020", "puerh", "2021 Yiwu Raw Pu-erh", "2021年易武生普", "Yiwu Raw Pu-erh", "易武生普", 498, 0,
     ["old-tree leaves from Yiwu", "stone-pressed 357 g cake", "dry-stored in Kunming"],
     ["易武古树原料", "石磨压制357克", "昆明干仓"],
     "a honeyed, sweet raw Pu-erh with gentle bitterness that turns to sweetness",
     "蜜香柔和，苦尽甘来", "2025-03-01", "yes",
     ["honey", "apricot", "camphor"], ["蜜香", "回甘", "樟香"]),
    ("SL-DRK-021", "puerh", "Anhua Golden Flower Fu Brick", "安化金花茯砖", "Fu Brick", "茯砖", 168, 0,
     ["full of golden flowers", "1 kg brick", "from Anhua, Hunan"],
     ["金花茂盛", "一公斤茯砖", "湖南安化"],
     "a mellow, fungal-sweet dark tea that is made for the teapot on the stove",
     "菌花香浓，醇和顺口，适合围炉煮茶", "2024-12-01", "yes",
     ["wood", "brown sugar", "mushroom"], ["菌花香", "醇和", "甜润"]),
    ("SL-FLR-022", "floral", "Jasmine Dragon Pearls", "茉莉龙珠", "Jasmine Pearls", "茉莉龙珠", 158, 0,
     ["scented seven times with fresh jasmine", "hand-rolled pearls", "Fuzhou green tea base"],
     ["鲜茉莉七窨", "手工揉制成珠", "福州绿茶茶底"],
     "a fragrant, silky jasmine tea that unfurls in the cup",
     "茉莉花香鲜灵，茶汤柔滑", "2025-07-01", "yes",
     ["jasmine", "white flowers", "honey"], ["茉莉花香", "鲜灵", "柔滑"]),
    ("SL-FLR-023", "floral", "Osmanthus Oolong", "桂花乌龙", "Osmanthus Oolong", "桂花乌龙", 128, 0,
     ["real osmanthus flowers", "Tieguanyin base", "small-batch scented"],
     ["真桂花窨制", "铁观音茶底", "小批量窨制"],
     "a sweet, apricot-scented oolong that tastes like autumn",
     "桂花甜香，一口就是秋天", "2025-09-01", "yes",
     ["osmanthus", "apricot", "honey"], ["桂花香", "甜香", "花香"]),
    ("SL-FLR-024", "floral", "Hangbai Chrysanthemum", "杭白菊", "Hangbai Chrysanthemum", "杭白菊", 68, 0,
     ["whole flower heads", "sun-dried", "from Tongxiang, Zhejiang"],
     ["整朵胎菊", "自然晒干", "浙江桐乡"],
     "a gentle, honeyed floral infusion without caffeine",
     "清香柔和，不含咖啡因", "2025-10-15", "yes",
     ["chrysanthemum", "honey", "chamomile"], ["菊香", "清香", "甘甜"]),
    ("SL-FLR-025", "floral", "Cold-Brew Tea Sampler", "冷泡茶组合装", "Cold-Brew Sampler", "冷泡茶", 79, 0,
     ["12 pyramid sachets in four flavours", "brews in cold water in 4 hours", "no sugar added"],
     ["12个三角茶包，四种口味", "冷水四小时即可冲泡", "无添加糖"],
     "an easy iced tea for the fridge, with no bitterness",
     "放进冰箱就能喝，清爽不苦", "2026-06-01", "yes",
     ["peach", "citrus", "jasmine"], ["清爽", "清甜", "果香"]),
    ("SL-WAR-026", "teaware", "Ru Kiln Gaiwan", "汝窑盖碗", "Ru Kiln Gaiwan", "盖碗", 198, 0,
     ["150 ml", "sky-blue crackle glaze", "thin rim that pours cleanly"],
     ["150毫升", "天青色开片釉", "薄口出汤利落"],
     "a gaiwan that stays cool at the rim and never drips",
     "不烫手，出汤不滴漏", "2025-04-01", "yes",
     [], []),
    ("SL-WAR-027", "teaware", "Yixing Zisha Teapot", "宜兴紫砂壶", "Zisha Teapot", "紫砂壶", 680, 0,
     ["hand-thrown from Yixing purple clay", "220 ml", "made by a certified potter"],
     ["宜兴原矿紫泥全手工", "220毫升", "职称工艺师制作"],
     "a teapot that softens and rounds out every oolong and Pu-erh",
     "养壶越养越润，让乌龙和普洱更醇", "2025-01-10", "yes",
     [], []),
    ("SL-WAR-028", "teaware", "Travel Tea Set", "便携旅行茶具", "Travel Tea Set", "旅行茶具", 158, 15,
     ["one pot and four cups", "fits in a canvas pouch", "heat-resistant glass and ceramic"],
     ["一壶四杯", "收纳进帆布包", "耐热玻璃和陶瓷"],
     "proper gongfu tea anywhere, from the office to a mountain top",
     "办公室到山顶，随时喝上一泡好茶", "2025-05-01", "yes",
     [], []),
    ("SL-WAR-029", "teaware", "Glass Cold-Brew Bottle", "玻璃冷泡杯", "Cold-Brew Bottle", "冷泡杯", 89, 0,
     ["600 ml borosilicate glass", "built-in fine filter", "leak-proof lid"],
     ["600毫升高硼硅玻璃", "内置细滤网", "防漏杯盖"],
     "cold-brew tea in the fridge overnight with no mess",
     "晚上放进冰箱，早上就有冷泡茶", "2026-05-15", "no",
     [], []),
    ("SL-GFT-030", "gift", "Four Seasons Tea Gift Box", "四季茶礼盒", "Four Seasons Gift Box", "四季礼盒", 588, 0,
     ["Longjing, Tieguanyin, Keemun and White Peony", "four 50 g tins", "linen-wrapped box with a card"],
     ["龙井、铁观音、祁红、白牡丹", "四罐各50克", "布艺礼盒附贺卡"],
     "a tour of China's tea year in one elegant box",
     "一盒喝遍四季好茶，送礼体面", "2025-08-20", "yes",
     ["orchid", "honey", "malt"], ["花果香", "蜜香", "醇厚"]),
    ("SL-GFT-031", "gift", "Mid-Autumn Moon Tea Gift Set", "中秋月礼茶礼盒", "Moon Gift Set", "中秋礼盒", 468, 10,
     ["Da Hong Pao and Osmanthus Oolong", "moon-shaped tin", "includes a small gaiwan"],
     ["大红袍和桂花乌龙", "圆月造型茶罐", "附赠小盖碗"],
     "a Mid-Autumn gift that feels personal and looks beautiful on the table",
     "中秋送礼有心意，摆上桌也好看", "2026-08-18", "yes",
     ["roasted nut", "osmanthus", "honey"], ["焙火香", "桂花香", "甜润"]),
    ("SL-GFT-032", "gift", "Spring Festival Fortune Gift Box", "新春福礼茶礼盒", "Fortune Gift Box", "新春礼盒", 688, 0,
     ["Jin Jun Mei, Da Hong Pao and 2018 ripe Pu-erh", "red lacquer box", "hand-written greeting card"],
     ["金骏眉、大红袍、2018年熟普", "红色漆盒", "手写祝福卡"],
     "a festive red box that brings good tea to the New Year table",
     "红红火火，把好茶带上年夜饭的餐桌", "2025-12-20", "no",
     ["honey", "roasted nut", "dates"], ["蜜香", "焙火香", "陈香"]),
]

PRODUCT_HEADER = ["id", "sku", "name_en", "name_zh", "category", "price", "list_price",
                  "discount_pct", "features_en", "features_zh", "benefits_en", "benefits_zh",
                  "launch_date", "in_stock"]


def product_records():
    out = []
    for i, p in enumerate(PRODUCTS, 1):
        (sku, cat, name_en, name_zh, short_en, short_zh, lp, disc, f_en, f_zh, b_en, b_zh,
         launch, stock, n_en, n_zh) = p
        price = round(lp * (100 - disc) / 100.0, 2)
        out.append(dict(id=i, sku=sku, category=cat, name_en=name_en, name_zh=name_zh,
                        short_en=short_en, short_zh=short_zh, list_price=lp, discount=disc,
                        price=price, features_en=f_en, features_zh=f_zh, benefits_en=b_en,
                        benefits_zh=b_zh, launch=dt.date.fromisoformat(launch), in_stock=stock,
                        notes_en=n_en, notes_zh=n_zh))
    return out


def gen_products(prods):
    rows = []
    for p in prods:
        rows.append([p["id"], p["sku"], p["name_en"], p["name_zh"], p["category"],
                     money(p["price"]), money(p["list_price"]), p["discount"],
                     "; ".join(p["features_en"]), "；".join(p["features_zh"]),
                     p["benefits_en"], p["benefits_zh"], iso(p["launch"]), p["in_stock"]])
    return PRODUCT_HEADER, rows


# ---------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------
# (city, region, weight, country code or "" for mainland China)
CITIES = [
    ("Shanghai", "East China", 12, ""), ("Hangzhou", "East China", 8, ""),
    ("Nanjing", "East China", 5, ""), ("Suzhou", "East China", 5, ""),
    ("Ningbo", "East China", 3, ""), ("Hefei", "East China", 2, ""),
    ("Xiamen", "East China", 3, ""), ("Fuzhou", "East China", 2, ""),
    ("Jinan", "East China", 2, ""), ("Qingdao", "East China", 2, ""),
    ("Beijing", "North China", 10, ""), ("Tianjin", "North China", 3, ""),
    ("Shijiazhuang", "North China", 1, ""), ("Taiyuan", "North China", 1, ""),
    ("Guangzhou", "South China", 8, ""), ("Shenzhen", "South China", 9, ""),
    ("Dongguan", "South China", 1, ""), ("Nanning", "South China", 1, ""),
    ("Wuhan", "Central China", 4, ""), ("Changsha", "Central China", 3, ""),
    ("Zhengzhou", "Central China", 2, ""),
    ("Chengdu", "Southwest", 6, ""), ("Chongqing", "Southwest", 4, ""),
    ("Kunming", "Southwest", 2, ""), ("Guiyang", "Southwest", 1, ""),
    ("Shenyang", "Northeast", 2, ""), ("Dalian", "Northeast", 2, ""), ("Harbin", "Northeast", 1, ""),
    ("Xi'an", "Northwest", 3, ""), ("Lanzhou", "Northwest", 1, ""), ("Urumqi", "Northwest", 0.5, ""),
    ("Hong Kong", "Hong Kong & Macau", 3, "852"), ("Macau", "Hong Kong & Macau", 0.5, "853"),
    ("Singapore", "Overseas", 3, "65"), ("London", "Overseas", 2, "44"),
    ("New York", "Overseas", 2, "1"), ("San Francisco", "Overseas", 1.5, "1"),
    ("Vancouver", "Overseas", 1.5, "1"), ("Toronto", "Overseas", 1, "1"),
    ("Sydney", "Overseas", 1.5, "61"), ("Kuala Lumpur", "Overseas", 1, "60"),
    ("Paris", "Overseas", 0.5, "33"), ("Berlin", "Overseas", 0.5, "49"),
]

SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
            ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
            ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
            ("郭", "guo"), ("何", "he"), ("林", "lin"), ("罗", "luo"), ("高", "gao"),
            ("梁", "liang"), ("郑", "zheng"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
            ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
            ("彭", "peng"), ("曾", "zeng"), ("萧", "xiao"), ("田", "tian"), ("董", "dong"),
            ("潘", "pan"), ("袁", "yuan"), ("蔡", "cai"), ("蒋", "jiang"), ("余", "yu"),
            ("杜", "du"), ("叶", "ye"), ("程", "cheng"), ("魏", "wei"), ("苏", "su"),
            ("吕", "lv"), ("丁", "ding"), ("沈", "shen"), ("欧阳", "ouyang"), ("上官", "shangguan")]
GIVEN_F = [("雨", "yu"), ("桐", "tong"), ("涵", "han"), ("欣", "xin"), ("怡", "yi"), ("萱", "xuan"),
           ("思", "si"), ("佳", "jia"), ("琪", "qi"), ("晨", "chen"), ("曦", "xi"), ("静", "jing"),
           ("婷", "ting"), ("诺", "nuo"), ("可", "ke"), ("馨", "xin"), ("嘉", "jia"), ("芳", "fang"),
           ("敏", "min"), ("艳", "yan"), ("娜", "na"), ("丽", "li"), ("玲", "ling"), ("慧", "hui"),
           ("颖", "ying"), ("晓", "xiao"), ("丹", "dan"), ("悦", "yue"), ("瑶", "yao"), ("安", "an"),
           ("宁", "ning"), ("清", "qing"), ("岚", "lan"), ("秀", "xiu"), ("梅", "mei"), ("若", "ruo")]
GIVEN_M = [("浩", "hao"), ("然", "ran"), ("宇", "yu"), ("轩", "xuan"), ("子", "zi"), ("远", "yuan"),
           ("博", "bo"), ("文", "wen"), ("俊", "jun"), ("杰", "jie"), ("一", "yi"), ("明", "ming"),
           ("伟", "wei"), ("磊", "lei"), ("洋", "yang"), ("勇", "yong"), ("强", "qiang"), ("军", "jun"),
           ("平", "ping"), ("刚", "gang"), ("华", "hua"), ("亮", "liang"), ("凯", "kai"), ("鑫", "xin"),
           ("泽", "ze"), ("辰", "chen"), ("沐", "mu"), ("毅", "yi"), ("涛", "tao"), ("斌", "bin"),
           ("建", "jian"), ("国", "guo"), ("志", "zhi"), ("海", "hai"), ("峰", "feng"), ("嘉", "jia")]
FIRST_F_EN = ["Emma", "Olivia", "Sophie", "Chloe", "Grace", "Hannah", "Lucy", "Mia", "Amelia",
              "Isla", "Charlotte", "Zoe", "Emily", "Laura", "Sarah", "Rachel", "Anna", "Julia",
              "Claire", "Nadia", "Priya", "Aisha", "Mei", "Jia Hui", "Wen Ting", "Hui Min",
              "Camille", "Lena", "Ingrid", "Maya"]
FIRST_M_EN = ["James", "Oliver", "Jack", "Harry", "Leo", "Noah", "Liam", "Ethan", "Daniel",
              "Samuel", "Thomas", "Benjamin", "Lucas", "Ryan", "Adam", "David", "Michael", "Chris",
              "Mark", "Ravi", "Arjun", "Omar", "Wei", "Jun Jie", "Kai", "Ming", "Hugo", "Felix",
              "Jonas", "Mateo"]
LAST_EN = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker",
           "Wright", "Clarke", "Hughes", "Green", "Hall", "Wood", "Harris", "Martin", "Lewis",
           "Baker", "Turner", "Parker", "Cooper", "Morgan", "Bennett", "Foster", "Murphy",
           "Nguyen", "Patel", "Singh", "Khan", "Tan", "Lim", "Lee", "Ng", "Wong", "Chan", "Chen",
           "Liu", "Ong", "Goh", "Dubois", "Moreau", "Schmidt", "Becker", "Rossi", "Garcia",
           "Kowalski", "Jensen", "Novak", "Silva"]

SEGMENTS = [("loyal", 24), ("new", 18), ("lapsed", 28), ("vip", 7), ("bargain", 23)]

CUSTOMER_HEADER = ["id", "name", "email", "phone", "age", "gender", "city", "region",
                   "signup_date", "preferred_channel", "language", "recency_days", "frequency",
                   "monetary", "consent_email", "consent_sms", "segment"]


def lognormal_mean(rng, mean, sigma):
    return mean * math.exp(rng.gauss(0, sigma) - sigma * sigma / 2)


def gen_customers():
    rng = rng_for("customers")
    n = 20000
    city_pairs = [(c, c[2]) for c in CITIES]
    emails = set()
    cn_phones = set()
    rows = []
    first_signup = dt.date(2021, 3, 1)
    span = (AS_OF - first_signup).days
    for cid in range(1, n + 1):
        city, region, _, cc = weighted(rng, city_pairs)
        overseas = region == "Overseas"
        if overseas:
            lang = "en" if rng.random() < 0.82 else "zh"
        elif region == "Hong Kong & Macau":
            lang = "en" if rng.random() < 0.35 else "zh"
        else:
            lang = "en" if rng.random() < 0.05 else "zh"
        gender = weighted(rng, [("female", 57), ("male", 39), ("", 4)])
        seg = weighted(rng, SEGMENTS)
        # name and e-mail
        g = gender or rng.choice(["female", "male"])
        if lang == "zh":
            sur, sur_py = rng.choice(SURNAMES)
            pool = GIVEN_F if g == "female" else GIVEN_M
            if rng.random() < 0.7:
                a, b = rng.choice(pool), rng.choice(pool)
                while b[0] == a[0]:
                    b = rng.choice(pool)
                given, given_py = a[0] + b[0], a[1] + b[1]
            else:
                given, given_py = rng.choice(pool)
            name = sur + given
            domain = "example.cn" if not overseas else rng.choice(["example.com", "example.cn"])
            style = rng.randrange(3)
            local = (sur_py + given_py if style == 0 else
                     given_py + "." + sur_py if style == 1 else sur_py + "_" + given_py)
        else:
            first = rng.choice(FIRST_F_EN if g == "female" else FIRST_M_EN)
            last = rng.choice(LAST_EN)
            name = first + " " + last
            domain = "example.com"
            f_, l_ = first.lower().replace(" ", ""), last.lower()
            style = rng.randrange(3)
            local = f_ + "." + l_ if style == 0 else f_[0] + l_ if style == 1 else f_ + "_" + l_
        while True:
            email = "%s%d@%s" % (local, rng.randrange(1, 1000), domain)
            if email not in emails:
                emails.add(email)
                break
        # phone: plainly fake numbering
        if rng.random() < 0.08:
            phone = ""
        elif cc == "":
            while True:
                phone = "%s-0000-%04d" % (rng.choice(["138", "139", "150", "186", "177"]), rng.randrange(10000))
                if phone not in cn_phones or len(cn_phones) > 45000:
                    cn_phones.add(phone)
                    break
        elif cc == "1":
            phone = "+1-555-01%02d" % rng.randrange(100)
        elif cc == "44":
            phone = "+44-7700-900%03d" % rng.randrange(1000)
        elif cc == "61":
            phone = "+61-491-570-%03d" % rng.randrange(156, 160)
        else:
            phone = "+%s-0000-%04d" % (cc, rng.randrange(10000))
        # age
        if rng.random() < 0.04:
            age = ""
        else:
            mu = {"vip": 44, "loyal": 40, "new": 31, "lapsed": 36, "bargain": 33}[seg]
            age = int(round(min(78, max(18, rng.gauss(mu, 11)))))
        # signup, recency, frequency, monetary by segment
        if seg == "new":
            signup = AS_OF - dt.timedelta(days=rng.randrange(1, 121))
        else:
            lo = {"loyal": 180, "vip": 240, "lapsed": 300, "bargain": 120}[seg]
            signup = first_signup + dt.timedelta(days=rng.randrange(0, span - lo))
        tenure = (AS_OF - signup).days
        if seg == "new":
            freq = weighted(rng, [(1, 70), (2, 22), (3, 8)])
            rec = rng.randrange(0, tenure + 1)
            aov = lognormal_mean(rng, 175, 0.45)
        elif seg == "loyal":
            freq = rng.randrange(4, 16)
            rec = min(tenure, int(rng.expovariate(1 / 30.0)) % 90)
            aov = lognormal_mean(rng, 230, 0.4)
        elif seg == "vip":
            freq = rng.randrange(8, 31)
            rec = min(tenure, int(rng.expovariate(1 / 18.0)) % 60)
            aov = lognormal_mean(rng, 520, 0.4)
        elif seg == "lapsed":
            freq = weighted(rng, [(1, 45), (2, 30), (3, 15), (4, 10)])
            rec = min(tenure, 240 + int(rng.expovariate(1 / 180.0)))
            aov = lognormal_mean(rng, 165, 0.5)
        else:  # bargain
            freq = rng.randrange(3, 11)
            rec = min(tenure, 5 + int(rng.expovariate(1 / 50.0)) % 175)
            aov = lognormal_mean(rng, 92, 0.35)
        monetary = round(freq * aov, 2)
        # channel and consent
        if overseas or (region == "Hong Kong & Macau" and lang == "en"):
            chan = weighted(rng, [("email", 45), ("social", 25), ("push", 18), ("sms", 9), ("wechat", 3)])
        else:
            chan = weighted(rng, [("wechat", 34), ("push", 20), ("sms", 16), ("email", 14), ("social", 16)])
        ce = rng.random() < (0.93 if chan == "email" else 0.66)
        cs = rng.random() < (0.92 if chan == "sms" else (0.28 if overseas else 0.45))
        rows.append([cid, name, email, phone, age, gender, city, region, iso(signup), chan, lang,
                     rec, freq, money(monetary), "yes" if ce else "no", "yes" if cs else "no", seg])
    return CUSTOMER_HEADER, rows


# ---------------------------------------------------------------------------
# Campaign copy
# ---------------------------------------------------------------------------
class _Keep(dict):
    """format_map helper: unknown {keys} such as {first_name} stay as they are."""
    def __missing__(self, key):
        return "{" + key + "}"


def fill(s, ctx):
    return s.format_map(_Keep(ctx))


def cap(s):
    return s[:1].upper() + s[1:]


# Themes. window: list of (month, day, month, day) inclusive, None = any date.
# Each language has hooks (statements), short hooks (push / search ads), questions and
# an intro sentence for longer bodies. {p} is the product's short name.
THEMES = {
    "spring": dict(
        window=[(3, 1, 4, 30)], seasonal=True, emoji=["🌱", "🍵", "🌸"],
        products=["SL-GRN-001", "SL-GRN-002", "SL-GRN-003", "SL-GRN-004", "SL-GRN-005",
                  "SL-GRN-006", "SL-WHT-016", "SL-WHT-017"],
        tags_en="#SpringTea #NewHarvest", tags_zh="#春茶# #明前茶#",
        en=dict(hooks=["The first {p} of spring has arrived", "Spring's first pick: {p}",
                       "Fresh from the hills: this year's {p}", "{P}, picked before Qingming",
                       "New-harvest {p} is here", "Just landed: spring {p}",
                       "This year's {p} is the best we've tasted"],
                short=["Spring {p} is here", "New-harvest {p}", "Fresh {p} just landed"],
                questions=["Have you tasted this spring's {p}?", "Ready for your first cup of spring?",
                           "Which spring green will you brew first?"],
                intro=["Every spring we wait for the first warm week on the hills, and this year it came early.",
                       "The new harvest has just come down from the mountains, and it smells like spring.",
                       "Spring teas are at their sweetest in the first few weeks after picking."]),
        zh=dict(hooks=["明前{p}，新茶到了", "春天的第一口鲜：{p}", "今年的{p}上新了",
                       "山里刚采的{p}到了", "头采{p}，限量开售", "一年只等这一季：{p}"],
                short=["{p}新茶上市", "春茶{p}到了", "头采{p}"],
                questions=["今年的第一口春茶，你喝了吗？", "新茶季，你先泡哪一款？",
                           "{p}上新，要不要先尝为快？"],
                intro=["每年春天，我们都在等山上最暖的那一周，今年来得格外早。",
                       "新茶刚从山上下来，打开袋子就是春天的味道。",
                       "春茶采摘后的头几周，滋味最鲜最甜。"])),
    "summer": dict(
        window=[(6, 1, 8, 20)], seasonal=True, emoji=["☀️", "🧊", "🍃"],
        products=["SL-FLR-025", "SL-FLR-022", "SL-WHT-017", "SL-GRN-002", "SL-GRN-004", "SL-OOL-010"],
        tags_en="#ColdBrew #IcedTea", tags_zh="#冷泡茶# #夏日饮品#",
        en=dict(hooks=["Cold-brew season starts now", "Beat the heat with {p}",
                       "Your summer iced tea, sorted", "{P}, iced and effortless",
                       "Cold-brew {p} overnight"],
                short=["Iced {p}, sorted", "Cold-brew season", "Summer in a bottle"],
                questions=["Too hot for hot tea?", "Have you tried cold-brewing {p}?",
                           "What's in your fridge this summer?"],
                intro=["When it is too hot to boil a kettle, cold water does the work for you.",
                       "Cold-brewing draws out the sweetness and leaves the bitterness behind.",
                       "Our team drinks litres of this in the studio every July."]),
        zh=dict(hooks=["夏天就要冷泡茶", "一杯冰镇{p}，清凉一夏", "冷泡季开启：{p}",
                       "三伏天，来杯冷泡{p}", "把{p}放进冰箱吧"],
                short=["冷泡{p}", "冷泡季来了", "一夏清凉"],
                questions=["天这么热，还在喝热茶吗？", "冷泡{p}，你试过吗？", "你的冰箱里有茶吗？"],
                intro=["热到不想烧水的日子，就让冷水慢慢把茶泡开。",
                       "冷泡能留住茶的甜，把苦涩留在杯外。",
                       "整个七月，我们工作室每天都要喝掉好几瓶。"])),
    "midautumn": dict(
        window=[(8, 21, 9, 30)], seasonal=True, emoji=["🌕", "🥮", "🎁"],
        products=["SL-GFT-031", "SL-GFT-030", "SL-OOL-008", "SL-FLR-023", "SL-OOL-007", "SL-OOL-009"],
        tags_en="#MidAutumn #TeaGift", tags_zh="#中秋礼盒# #中秋节#",
        en=dict(hooks=["A Mid-Autumn gift they'll actually use", "Moon, tea and family: {p}",
                       "Mid-Autumn gifting made easy", "Send {p} home for the Mid-Autumn Festival",
                       "The Mid-Autumn gift set is back"],
                short=["Mid-Autumn gifts", "Gift {p} this Mid-Autumn", "Moon-night tea"],
                questions=["Still looking for a Mid-Autumn gift?",
                           "What are you bringing home for the Mid-Autumn Festival?",
                           "Mooncakes sorted — what about the tea?"],
                intro=["The Mid-Autumn Festival is about sitting together under the full moon, and a pot of good tea.",
                       "Mooncakes are rich, which is exactly why they need a roasted oolong beside them.",
                       "We wrap every Mid-Autumn order by hand in our Hangzhou studio."]),
        zh=dict(hooks=["中秋送礼，就送{p}", "月圆人团圆，一盒{p}寄心意", "中秋礼盒现已开售",
                       "今年中秋，把{p}带回家", "月饼配好茶：{p}"],
                short=["中秋茶礼", "中秋送{p}", "月下一壶茶"],
                questions=["中秋礼物还没选好？", "今年中秋送什么？", "月饼有了，茶呢？"],
                intro=["中秋是一家人坐在月下，泡一壶好茶的日子。",
                       "月饼甜腻，正需要一泡焙火乌龙来解。",
                       "每一份中秋订单，都在我们杭州的工作室里手工包装。"])),
    "autumn": dict(
        window=[(10, 1, 10, 31)], seasonal=True, emoji=["🍂", "🍵"],
        products=["SL-OOL-007", "SL-OOL-008", "SL-OOL-009", "SL-BLK-012", "SL-PUE-019", "SL-FLR-023", "SL-OOL-010"],
        tags_en="#AutumnTea #Oolong", tags_zh="#秋茶# #乌龙茶#",
        en=dict(hooks=["Autumn calls for {p}", "Roasted, rich and ready: {p}",
                       "Cooler days, warmer cups", "{P} for the first cold morning"],
                short=["Autumn {p}", "Cooler days, warm {p}", "Autumn tea is in"],
                questions=["Is it oolong season yet?", "What's brewing this autumn?"],
                intro=["The first cold mornings are when roasted teas really come into their own.",
                       "Autumn oolongs are picked after the summer rains, and the aroma shows it."]),
        zh=dict(hooks=["秋天的第一杯{p}", "秋意渐浓，来一杯{p}", "天凉了，换一杯醇厚的{p}",
                       "秋茶上新：{p}"],
                short=["秋天喝{p}", "秋茶上新", "一杯暖暖的{p}"],
                questions=["秋天适合喝什么茶？", "天凉了，你换茶了吗？"],
                intro=["天一凉，焙火的茶就格外好喝。", "秋茶经过一夏的雨水，香气格外高扬。"])),
    "double11": dict(
        window=[(11, 1, 11, 11)], seasonal=True, emoji=["🔥", "🛒", "🎉"],
        products=None,
        tags_en="#SinglesDay #TeaDeals", tags_zh="#双11# #囤茶#",
        en=dict(hooks=["Singles' Day: our biggest offers of the year", "11.11 starts now",
                       "{P} at its lowest price of the year", "11.11 deals on {p}",
                       "Stock up on {p} for 11.11"],
                short=["11.11 is live", "11.11: {p} deals", "Singles' Day deals"],
                questions=["Ready for 11.11?", "What's on your 11.11 list?"],
                intro=["Singles' Day is the one time a year we mark down almost everything.",
                       "If you drink tea every day, this is the week to stock up."]),
        zh=dict(hooks=["双11狂欢，{p}直降", "双11提前购：{p}", "一年一次的双11，囤茶正当时",
                       "双11来了：{p}", "全年最低价：{p}"],
                short=["双11开抢", "双11囤{p}", "双11狂欢"],
                questions=["双11囤茶清单，列好了吗？", "双11你准备囤哪款？"],
                intro=["双11是我们一年里唯一一次几乎全场让利。", "每天都喝茶的人，这一周最适合囤货。"])),
    "winter": dict(
        window=[(11, 12, 12, 31)], seasonal=True, emoji=["❄️", "🍵", "🔥"],
        products=["SL-BLK-012", "SL-BLK-015", "SL-PUE-019", "SL-DRK-021", "SL-WHT-018", "SL-BLK-014", "SL-FLR-024"],
        tags_en="#WinterTea #CosyNights", tags_zh="#围炉煮茶# #冬日#",
        en=dict(hooks=["Warm up with {p}", "Winter evenings, sorted: {p}", "The cosy cup for cold nights",
                       "Holiday gifts for the tea lover", "{P} by the fire"],
                short=["Warm up with {p}", "Cosy {p} nights", "Winter tea is here"],
                questions=["Cold outside?", "Need a last-minute holiday gift?",
                           "Have you tried simmering {p} on the stove?"],
                intro=["Winter is for long evenings and teas that can take a second and third pot.",
                       "Aged and roasted teas taste best when it is cold outside."]),
        zh=dict(hooks=["冬日暖饮：{p}", "围炉煮茶，就用{p}", "冬天的一杯{p}", "寒冬里的醇厚一杯",
                       "下雪天，煮一壶{p}"],
                short=["围炉煮{p}", "冬日暖茶", "冬天喝{p}"],
                questions=["今年冬天，围炉煮茶了吗？", "冬天喝什么茶好？"],
                intro=["冬天的夜晚很长，适合一壶能泡很多次的好茶。", "天越冷，陈茶和焙火茶越好喝。"])),
    "newyear": dict(
        window=[(1, 1, 2, 20)], seasonal=True, emoji=["🧧", "🎁", "🏮"],
        products=["SL-GFT-032", "SL-OOL-008", "SL-BLK-013", "SL-GFT-030", "SL-PUE-020"],
        tags_en="#LunarNewYear #TeaGift", tags_zh="#年货节# #新春送礼#",
        en=dict(hooks=["Lunar New Year gifts, ready to send", "Bring {p} home for the New Year",
                       "A good-luck gift for the year ahead", "New Year, new tea: {p}"],
                short=["New Year gifts", "Gift {p} this New Year", "Lunar New Year tea"],
                questions=["Sorted your New Year gifts yet?", "What will you pour at the reunion dinner?"],
                intro=["Nothing says respect at the New Year table like a good tea poured for your elders.",
                       "Order by the cut-off and your gifts arrive before the holiday."]),
        zh=dict(hooks=["新春送礼，{p}", "年货节：{p}", "过年回家，带一盒{p}", "新年好礼，福气满满",
                       "年夜饭桌上，泡一壶好茶"],
                short=["新春茶礼", "年货节囤{p}", "过年送{p}"],
                questions=["年货备齐了吗？", "过年送长辈什么好？"],
                intro=["年夜饭桌上，给长辈斟一杯好茶，是最好的心意。", "在截单日前下单，年前一定送到。"])),
    # Evergreen themes: any date.
    "restock": dict(
        window=None, seasonal=False, emoji=["✨", "🍵"], products=None,
        tags_en="#ShanlanTea #BackInStock", tags_zh="#补货# #山岚茶舍#",
        en=dict(hooks=["{P} is back in stock", "Back by popular demand: {p}", "We restocked {p}",
                       "{P} is back on the shelf"],
                short=["{P} is back", "Restocked: {p}", "Back in stock"],
                questions=["Missed {p} last time?", "Still waiting for {p}?"],
                intro=["It sold out faster than we expected last time.",
                       "Our buyers went back to the same garden for another batch."]),
        zh=dict(hooks=["{p}补货到了", "断货多时的{p}回来了", "{p}重新上架", "返场：{p}"],
                short=["{p}补货啦", "{p}回来了", "补货到了"],
                questions=["上次没抢到{p}？", "还在等{p}补货吗？"],
                intro=["上次上架比我们预想的卖得还快。", "我们回到同一片茶园，又收了一批。"])),
    "member": dict(
        window=None, seasonal=False, emoji=["✨", "🎁"], products=None, segs=["vip", "loyal"],
        tags_en="#ShanlanCircle #TeaTime", tags_zh="#会员日# #山岚茶舍#",
        en=dict(hooks=["Member Day: extra treats on {p}", "Double points on {p} this week",
                       "Shanlan Circle Day is here", "Early access: {p}"],
                short=["Member Day", "Double points week", "Early access: {p}"],
                questions=["Have you checked your points lately?", "Did you know your points never expire?"],
                intro=["Once a month we say thank you to the people who keep this tea house going.",
                       "Shanlan Circle members hear about new teas before anyone else."]),
        zh=dict(hooks=["会员日：{p}专享价", "会员双倍积分日", "山岚会员日来了", "抢先购：{p}"],
                short=["会员日", "双倍积分", "抢先购{p}"],
                questions=["你的积分还没用？", "知道积分可以换茶吗？"],
                intro=["每个月，我们都会给一直支持茶舍的朋友一份心意。", "山岚会员总能比别人更早喝到新茶。"])),
    "newarrival": dict(
        window=None, seasonal=False, emoji=["✨", "🫖"],
        products=["SL-WAR-026", "SL-WAR-027", "SL-WAR-028", "SL-WAR-029", "SL-OOL-009", "SL-OOL-010",
                  "SL-OOL-011", "SL-BLK-013", "SL-PUE-020"],
        tags_en="#NewIn #ShanlanTea", tags_zh="#新品# #山岚茶舍#",
        en=dict(hooks=["Meet our new {p}", "New in: {p}", "Introducing our {p}", "Just added: {p}"],
                short=["New in: {p}", "Meet the {p}", "Just added"],
                questions=["Looking for a better way to brew?", "Have you met our new {p}?"],
                intro=["We spent a year testing this before putting it on the shelf.",
                       "Small workshops, small batches, and a lot of tasting along the way."]),
        zh=dict(hooks=["新品上架：{p}", "{p}，新品首发", "上新啦：{p}", "认识一下新朋友：{p}"],
                short=["新品：{p}", "{p}上新", "上新啦"],
                questions=["想把茶泡得更好喝？", "见过我们的新{p}吗？"],
                intro=["这款我们试用了整整一年才决定上架。", "小作坊、小批量，一路喝一路挑。"])),
    "winback": dict(
        window=None, seasonal=False, emoji=["🍵", "💌"], products="tea", segs=["lapsed"],
        tags_en="#ShanlanTea", tags_zh="#山岚茶舍#",
        en=dict(hooks=["We miss you: here's a cup on us", "It's been a while. {P} is waiting",
                       "Come back for a cup of {p}", "A little something to welcome you back"],
                short=["We miss you", "A cup on us", "Come back for {p}"],
                questions=["Still brewing at home?", "Has it been a while since your last good cup?"],
                intro=["It has been a few months since your last order, so we thought we'd say hello.",
                       "A lot has changed on the shelves since you last visited."]),
        zh=dict(hooks=["好久不见，给你留了一杯{p}", "回来喝杯{p}吧", "茶舍上新了不少，回来看看",
                       "一杯{p}，等你回来"],
                short=["好久不见", "回来喝杯茶", "等你回来"],
                questions=["最近还在喝茶吗？", "好久没泡一杯好茶了吧？"],
                intro=["距离上次下单已经有几个月了，想和你打个招呼。", "这段时间，茶舍的架子上多了不少新茶。"])),
    "welcome": dict(
        window=None, seasonal=False, emoji=["👋", "🍵"], products="tea", segs=["new"],
        tags_en="#ShanlanTea #TeaTime", tags_zh="#山岚茶舍# #新人礼#",
        en=dict(hooks=["Welcome to Shanlan Tea House", "Your first order: start with {p}",
                       "New here? Start with {p}", "A warm welcome and a first tea"],
                short=["Welcome to Shanlan", "Start with {p}", "New here?"],
                questions=["Not sure where to start?", "New to Chinese tea?"],
                intro=["We are a small tea house in Hangzhou that buys straight from the gardens.",
                       "If you are new to loose-leaf tea, start with something forgiving and sweet."]),
        zh=dict(hooks=["欢迎来到山岚茶舍", "新人第一单，从{p}开始", "第一次喝茶，推荐{p}",
                       "新人见面礼已到账"],
                short=["欢迎来到山岚", "新人先喝{p}", "新人见面礼"],
                questions=["不知道从哪款开始？", "刚开始喝茶，选什么好？"],
                intro=["我们是杭州的一家小茶舍，直接从茶园收茶。", "刚开始喝原叶茶，先选一款好泡、回甘的。"])),
}

CTA_STRONG = {
    "en": ["Shop now", "Buy now", "Order today", "Get yours", "Claim your offer", "Grab yours",
           "Add to cart", "Shop the sale"],
    "zh": ["立即抢购", "马上领取", "立即下单", "现在就买", "马上抢", "立即领券", "加入购物车", "去抢购"],
}
CTA_WEAK = {
    "en": ["Learn more", "See more", "View details", "Find out more", "Browse the collection",
           "Read the story", "Take a look"],
    "zh": ["了解更多", "查看详情", "去看看", "逛逛新品", "阅读故事", "点击查看"],
}
URGENCY_HEAD = {
    "en": ["ends tonight", "last chance", "today only", "while stocks last", "final hours",
           "ends Sunday", "48 hours only", "don't miss out"],
    "zh": ["今晚截止", "最后一天", "仅限今天", "售完即止", "手慢无", "倒计时", "最后机会"],
}
URGENCY_BODY = {
    "en": ["Hurry: the offer ends at midnight on Sunday.", "Stock is almost gone, so don't miss out.",
           "Today only: at midnight prices go back up.",
           "This is your last chance before the season sells out.",
           "Final hours: once this batch is gone, it's gone."],
    "zh": ["活动今晚零点截止，抓紧下单。", "库存所剩不多，售完即止。", "最后一天，错过再等一年。",
           "倒计时开始，手慢无。", "抓紧时间，这一批卖完就没有了。"],
}
PROOF_NUM = {
    "en": ["Rated 4.8/5 by more than 2,000 tea drinkers.", "We sold over 12,000 tins last season.",
           "4.9 stars from 860 reviews.", "97% of buyers say they would order it again."],
    "zh": ["已有2000多位茶友打出4.8分。", "上一季卖出了12000罐。", "860条评价，平均4.9星。",
           "97%的买家表示会回购。"],
}
PROOF_PLAIN = {
    "en": ["Our regulars call it the tea they never run out of.", "It sold out twice last year.",
           "Loved by tea drinkers from Hangzhou to London.",
           "It's the tea our own team brews when nobody is watching."],
    "zh": ["老茶友说，这是他们家里从不断货的一款。", "去年两次售罄。", "从杭州到伦敦，都有人在喝。",
           "这是我们自己团队私下最常喝的一款。"],
}
PERSONAL_SENT = {
    "en": {"vip": "As a member of the Shanlan Circle, you get first pick before anyone else.",
           "loyal": "As one of our regulars, you get first pick, and we saved one for you.",
           "new": "Picked for you as a welcome: a tea that is easy to love.",
           "lapsed": "Welcome back: we kept your favourite on the shelf.",
           "bargain": "Picked for you: great value without cutting corners.",
           "all": "Picked for you from this season's range."},
    "zh": {"vip": "作为山岚会员，您可以比所有人先一步挑选。",
           "loyal": "老朋友，这一{unit_zh}我们特地为你留着。",
           "new": "为你准备的第一杯：好入口，不出错。",
           "lapsed": "欢迎回来，你常喝的那款还在。",
           "bargain": "为你挑了这个月性价比很高的一款。",
           "all": "为你精选本季好茶。"},
}
PERSONAL_PREFIX = {
    "en": ["{first_name}, ", "Picked for you: ", "{first_name}: "],
    "zh": ["{first_name}，", "为你精选：", "老朋友，"],
}
OFFER_HEAD = {
    "en": {"pct": ["{pct}% off", "save {pct}%", "{pct}% off every {unit}"],
           "amount": ["¥{amt} off orders over ¥{min}", "¥{amt} off over ¥{min}"],
           "price": ["now ¥{price}", "from ¥{price}"],
           "qty": ["only {qty} {unit}s", "just {qty} made"],
           "days": ["{days} days only", "for {days} days"]},
    "zh": {"pct": ["{zhe}", "全场{zhe}", "限时{zhe}"],
           "amount": ["满{min}减{amt}", "立减{amt}元"],
           "price": ["到手价¥{price}", "¥{price}起"],
           "qty": ["限量{qty}{unit_zh}", "仅{qty}份"],
           "days": ["仅限{days}天", "{days}天特惠"]},
}
OFFER_BODY = {
    "en": {"pct": ["Take {pct}% off every {unit} until Sunday.", "Enjoy {pct}% off {p} this week."],
           "amount": ["Spend ¥{min} and we'll take ¥{amt} off.", "Orders over ¥{min} get ¥{amt} off at checkout."],
           "price": ["{P} is now ¥{price}, down from ¥{lp}.", "It's ¥{price} a {unit} while the offer lasts."],
           "qty": ["We only have {qty} {unit}s this season.", "There are just {qty} boxes, packed by hand."],
           "days": ["The offer runs for {days} days.", "You have {days} days to order at this price."]},
    "zh": {"pct": ["本周{p}{zhe}优惠。", "即日起，{p}享{zhe}。"],
           "amount": ["满{min}减{amt}，可与会员价叠加。", "下单满{min}元立减{amt}元。"],
           "price": ["{p}到手价¥{price}，原价¥{lp}。", "活动期间每{unit_zh}只要¥{price}。"],
           "qty": ["本季只有{qty}{unit_zh}。", "全部手工包装，仅{qty}盒。"],
           "days": ["活动只有{days}天。", "{days}天内下单都是这个价。"]},
}
PITCH = {
    "en": ["Expect {benefit}.", "Our {p}: {f1}, {f2}.", "{F1}, {f2}: {benefit}.",
           "In the cup: {n1}, {n2} and {n3}.", "{F1} and {f3}. The result: {benefit}."],
    "zh": ["{f1}，{f2}，{benefit}。", "入口{benefit}。", "这一季的{p}：{f1}，{f2}。",
           "茶汤里有{n1}，也有{n2}。", "{f1}，{f3}，{benefit}。"],
}
SIGNOFF = {"en": "The Shanlan Tea House team", "zh": "山岚茶舍"}
GREETING_PLAIN = {"en": ["Hello,", "Dear tea lover,", "Hi there,"], "zh": ["你好，", "亲爱的茶友：", "嗨，"]}
SEARCH_HEAD = {
    "en": ["Buy {P} Tea Online", "{P} | Shanlan Tea House", "Fresh {P}, Shipped Fast",
           "Shanlan Tea | {P}", "Authentic {P} Tea", "{P}: {offer}"],
    "zh": ["{p}官方旗舰店", "山岚茶舍{p}", "正宗{p}，产地直发", "{p}｜{offer}", "买{p}，选山岚"],
}
SEARCH_DESC = {
    "en": ["Hand-picked {p} from the garden to your door. {offer_s}{urg_s}{cta}.",
           "{Benefit_s}. {offer_s}Free delivery over ¥199. {cta}.",
           "Small-batch {p}, packed in Hangzhou. {offer_s}{cta} today."],
    "zh": ["{p}产地直发，新鲜到家。{offer_s}{urg_s}{cta}。", "{benefit}。{offer_s}满199包邮，{cta}。",
           "杭州茶舍小批量包装的{p}。{offer_s}{cta}。"],
}
SMS_LINK = ["spring", "tea", "gift", "sale", "new", "vip", "go", "shop"]
OVERLOAD = {"en": ["FINAL HOURS!!", "HUGE SAVINGS!!", "DON'T MISS IT!!"],
            "zh": ["！！！", "速抢！！", "冲鸭！！"]}

# --- detectors used by the click-rate model (documented in README.md) -------
RE_DIGIT = re.compile(r"[0-9]")
RE_DISCOUNT = re.compile(r"(\d+% off|save \d+%|¥\d+ off|\d+折|满\d+减|立减|直降)", re.I)
RE_QUESTION = re.compile(r"[?？]")
RE_URGENCY = re.compile(r"(tonight|last chance|today only|while stocks last|final hours|ends sunday|"
                        r"hours only|don't miss|hurry|截止|最后|仅限今|售完即止|手慢无|倒计时|抓紧)", re.I)
RE_PERSONAL = re.compile(r"(\{first_name\}|for you|your favourite|welcome back|as a member|"
                         r"as one of our|为你|专属|老朋友|您|欢迎回来|你常喝)", re.I)
RE_CTA_STRONG = re.compile(r"(\bshop\b|\bbuy\b|\border\b|\bget\b|\bclaim\b|\bgrab\b|add to cart|"
                           r"抢|领|下单|买|购物车)", re.I)
RE_OVERLOAD = re.compile(r"(!!|！！|\b(?!STOP\b)[A-Z]{4,}\b)")


def has_emoji(s):
    return any(ord(ch) >= 0x1F300 or 0x2600 <= ord(ch) <= 0x27BF for ch in s)


# Length window (characters) of the channel's key field: (field, en range, zh range)
LENGTH_FIT = {
    "email": ("headline", (28, 60), (10, 24)),
    "sms": ("body", (60, 160), (30, 70)),
    "push": ("headline", (15, 40), (6, 16)),
    "social": ("body", (80, 240), (40, 140)),
    "search-ad": ("headline", (15, 30), (6, 15)),
    "landing": ("headline", (20, 60), (8, 24)),
}


def length_fit(channel, lang, headline, body):
    field, r_en, r_zh = LENGTH_FIT[channel]
    lo, hi = r_en if lang == "en" else r_zh
    n = len(headline if field == "headline" else body)
    if n > hi:
        return max(0.0, 1.0 - (n - hi) / (0.5 * hi))
    if n < lo:
        return max(0.0, 1.0 - (lo - n) / lo)
    return 1.0


# --- the click-rate model ---------------------------------------------------
CH_BASE = {"email": -3.95, "sms": -3.85, "push": -3.95, "social": -4.15, "search-ad": -3.85, "landing": -3.65}
SEG_EFFECT = {"vip": 0.25, "loyal": 0.15, "new": 0.05, "bargain": 0.0, "lapsed": -0.25, "all": -0.05}
EMOJI_EFFECT = {"email": 0.05, "sms": -0.10, "push": 0.15, "social": 0.20, "search-ad": 0.0, "landing": 0.0}
COEF = dict(number=0.22, discount_bargain=0.30, question=0.18, urgency=0.22, cta_strong=0.28,
            personal=0.25, overload=-0.30, length=0.70, in_season=0.10)
NOISE_SD = 0.38
CVR_BASE = {"email": 0.060, "sms": 0.050, "push": 0.040, "social": 0.025, "search-ad": 0.045, "landing": 0.090}
CVR_SEG = {"vip": 1.6, "loyal": 1.3, "new": 1.0, "bargain": 1.1, "lapsed": 0.7, "all": 1.0}


def copy_features(channel, lang, segment, headline, body, cta, in_season):
    text = headline + " " + body
    f = dict(
        number=1 if RE_DIGIT.search(text) else 0,
        discount=1 if RE_DISCOUNT.search(text) else 0,
        question=1 if RE_QUESTION.search(headline) else 0,
        urgency=1 if RE_URGENCY.search(text) else 0,
        cta_strong=1 if RE_CTA_STRONG.search(cta) else 0,
        personal=1 if RE_PERSONAL.search(text) else 0,
        emoji=1 if has_emoji(text) else 0,
        overload=1 if RE_OVERLOAD.search(text) else 0,
        length_fit=length_fit(channel, lang, headline, body),
        in_season=1 if in_season else 0,
    )
    return f


def model_logit(channel, segment, f):
    """Deterministic part of logit(CTR); the generator adds N(0, NOISE_SD)."""
    z = CH_BASE[channel] + SEG_EFFECT[segment]
    z += COEF["number"] * f["number"]
    z += COEF["discount_bargain"] * f["discount"] * (1 if segment == "bargain" else 0)
    z += COEF["question"] * f["question"]
    z += COEF["urgency"] * f["urgency"]
    z += COEF["cta_strong"] * f["cta_strong"]
    z += COEF["personal"] * f["personal"]
    z += EMOJI_EFFECT[channel] * f["emoji"]
    z += COEF["overload"] * f["overload"]
    z += COEF["length"] * (f["length_fit"] - 1.0)
    z += COEF["in_season"] * f["in_season"]
    return z


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def binom(rng, n, p):
    if n <= 0 or p <= 0:
        return 0
    if n < 300:
        return sum(1 for _ in range(n) if rng.random() < p)
    mu, sd = n * p, math.sqrt(n * p * (1 - p))
    return int(min(n, max(0, round(rng.gauss(mu, sd)))))


LOWER_OK = {"the", "fresh", "just", "new-harvest", "this", "cold-brew", "beat", "your", "put",
            "a", "send", "roasted", "cooler", "autumn", "stock", "warm", "winter", "holiday",
            "bring", "we", "it's", "come", "new", "back", "have", "ready", "which", "too", "what",
            "still", "is", "cold", "need", "sorted", "missed", "looking", "did", "not", "mooncakes",
            "spring", "iced", "summer", "gift", "restocked", "start", "double", "early", "meet",
            "introducing", "moon-night", "cosy", "has", "when", "what's", "it's"}


def lower_first(s):
    w = s.split(" ", 1)[0].strip(":,.!?").lower()
    return s[:1].lower() + s[1:] if w in LOWER_OK else s


def theme_for(rng, date, segment):
    seasonal = [k for k, t in THEMES.items() if t["seasonal"] and any(
        (m1, d1) <= (date.month, date.day) <= (m2, d2) for m1, d1, m2, d2 in t["window"])]
    if seasonal and rng.random() < 0.6:
        return seasonal[0], True
    ever = [k for k, t in THEMES.items() if not t["seasonal"] and
            (t.get("segs") is None or segment in t["segs"])]
    # win-back and welcome mails go to the segment they are written for
    if segment == "lapsed" and rng.random() < 0.6:
        return "winback", False
    if segment == "new" and rng.random() < 0.6:
        return "welcome", False
    return rng.choice(ever), False


def offer_ctx(rng, prod, kind):
    pct = rng.choice([10, 15, 20, 25, 30])
    amt, mn = rng.choice([(20, 199), (30, 299), (50, 399), (80, 599), (100, 699)])
    return dict(kind=kind, pct=pct, zhe=zhe(pct), amt=amt, min=mn,
                price=int(round(prod["list_price"] * (100 - pct) / 100.0)), lp=prod["list_price"],
                qty=rng.choice([200, 300, 500, 800]), days=rng.choice([2, 3, 5, 7]))


def compose(rng, lang, channel, seg, theme_name, prod, fl):
    """Headline, body and call to action for one campaign, steered by the flags fl."""
    T = THEMES[theme_name]
    L = T[lang]
    en = lang == "en"
    short = prod["short_en"] if en else prod["short_zh"]
    feats = prod["features_en"] if en else prod["features_zh"]
    notes = prod["notes_en"] if en else prod["notes_zh"]
    ctx = dict(p=short, P=cap(short), f1=feats[0], f2=feats[1], f3=feats[2],
               F1=cap(feats[0]), benefit=prod["benefits_en"] if en else prod["benefits_zh"])
    ctx["Benefit_s"] = cap(ctx["benefit"])
    ctx["unit"], ctx["unit_zh"] = {"teaware": ("set", "件"), "gift": ("box", "盒")}.get(
        prod["category"], ("tin", "罐"))
    if notes:
        ctx.update(n1=notes[0], n2=notes[1], n3=notes[2])
    kind = None
    if fl["number"]:
        kind = weighted(rng, [("pct", 35 + 20 * (seg == "bargain")), ("amount", 20 + 10 * (seg == "bargain")),
                              ("price", 20), ("qty", 15), ("days", 10)])
        ctx.update(offer_ctx(rng, prod, kind))
    def sep(a, b):
        if en:
            return a + (" " + cap(b) if a.endswith("?") else (" | " if ":" in a else ": ") + b)
        return a + ("" if a.endswith("？") else rng.choice(["｜", "，"])) + b

    def pick_pitch():
        pool = [t for t in PITCH[lang] if notes or ("{n1}" not in t and "入口" not in t)]
        return fill(rng.choice(pool), ctx)

    # ---- headline
    attached = False
    if channel == "search-ad":
        pool = SEARCH_HEAD[lang]
        if kind:
            ctx["offer"] = cap(fill(rng.choice(OFFER_HEAD[lang][kind]), ctx)) if en else \
                fill(rng.choice(OFFER_HEAD[lang][kind]), ctx)
        else:
            pool = [t for t in pool if "{offer}" not in t]
        cands = [fill(t, ctx) for t in pool]
        lim = 30 if en else 15
        fitting = [c for c in cands if len(c) <= lim]
        head = rng.choice(fitting) if fitting and rng.random() < 0.8 else rng.choice(cands)
        if fl["question"]:
            fl["question"] = False          # search ads are not written as questions
    else:
        if fl["question"]:
            core = rng.choice(L["questions"])
        elif channel in ("push",) and rng.random() < 0.6:
            core = rng.choice(L["short"])
        elif fl["length"] < 0 and rng.random() < 0.6:
            core = rng.choice(L["short"])
        else:
            core = rng.choice(L["hooks"])
        head = fill(core, ctx)
        head = cap(head) if en else head
        if fl["personal"] and rng.random() < 0.7:
            pres = PERSONAL_PREFIX[lang]
            if ":" in head or "：" in head or channel == "sms":
                pres = [x for x in pres if not x.endswith((": ", "："))]
            pre = rng.choice(pres)
            head = pre + (lower_first(head) if en and pre.endswith(", ") else head)
        if kind and rng.random() < 0.75:
            off = fill(rng.choice(OFFER_HEAD[lang][kind]), ctx)
            head = sep(head, off)
            attached = True
        if fl["urgency"] and rng.random() < 0.65:
            u = rng.choice(URGENCY_HEAD[lang])
            head = head + (" — " + u if en else ("" if head.endswith("？") else rng.choice(["，", "｜"])) + u)
        long_name = prod["name_en"] if en else prod["name_zh"]
        if fl["length"] > 0 and channel in ("email", "landing") and not attached and \
                not head.endswith(("?", "？")) and long_name != short:
            head = head + (" | " if en else "｜") + long_name
    if fl["overload"] and channel != "search-ad":
        o = rng.choice(OVERLOAD[lang])
        head = head + " — " + o if en else head + ("" if o.startswith("！") else "，") + o
    if fl["emoji"]:
        e = rng.choice(T["emoji"])
        head = (e + " " + head) if rng.random() < 0.3 else (head + " " + e if en else head + e)

    # ---- call to action
    if fl["cta_strong"]:
        pool = list(CTA_STRONG[lang])
        if kind == "pct":
            pool.append("Claim {pct}% off" if en else "领{zhe}券")
        if kind == "amount":
            pool.append("Get ¥{amt} off" if en else "领券立减{amt}元")
        cta = fill(rng.choice(pool), ctx)
    else:
        cta = rng.choice(CTA_WEAK[lang])

    # ---- body sentences
    personal_s = fill(PERSONAL_SENT[lang][seg], ctx) if fl["personal"] else None
    offer_s = fill(rng.choice(OFFER_BODY[lang][kind]), ctx) if kind else None
    urg_s = rng.choice(URGENCY_BODY[lang]) if fl["urgency"] else None
    proof_s = rng.choice(PROOF_NUM[lang] if fl["number"] and rng.random() < 0.5 else PROOF_PLAIN[lang])
    intro_s = rng.choice(L["intro"])
    sp = " " if en else ""

    if channel == "email":
        greet = ("Hi {first_name}," if en else "{first_name}，你好：") if fl["personal"] and rng.random() < 0.6 \
            else rng.choice(GREETING_PLAIN[lang])
        parts = []
        if fl["length"] >= 0:
            parts.append(intro_s)
        parts.append(pick_pitch())
        if fl["length"] > 0:
            parts.append(pick_pitch())
        for s in (personal_s, offer_s):
            if s:
                parts.append(s)
        if fl["length"] >= 0:
            parts.append(proof_s)
        if urg_s:
            parts.append(urg_s)
        body = greet + "\n" + sp.join(dict.fromkeys(parts)) + "\n" + ("— " if en else "—— ") + SIGNOFF[lang]
    elif channel == "sms":
        msg = head.replace(" | ", " — ").replace("｜", "，")
        if en:
            if not msg.endswith(("?", "!", ".")) and not has_emoji(msg[-2:]):
                msg += "."
            parts = [msg]
            if fl["length"] > 0:
                parts.append(pick_pitch())
            if offer_s and not attached and fl["length"] >= 0:
                parts.append(offer_s)
            if personal_s and fl["length"] > 0:
                parts.append(personal_s)
            body = "Shanlan Tea: " + " ".join(parts) + " slt.example/" + rng.choice(SMS_LINK) + \
                " Reply STOP to opt out"
        else:
            if not msg.endswith(("？", "！", "。")) and not has_emoji(msg[-2:]):
                msg += "。"
            parts = [msg]
            if fl["length"] > 0:
                parts.append(pick_pitch())
            if offer_s and not attached and fl["length"] >= 0:
                parts.append(offer_s)
            if personal_s and fl["length"] > 0:
                parts.append(personal_s)
            body = "【山岚茶舍】" + "".join(parts) + "戳 slt.example/" + rng.choice(SMS_LINK) + " 回T退订"
    elif channel == "push":
        cands = [pick_pitch()] + [s for s in (offer_s, personal_s, urg_s) if s]
        body = rng.choice(cands)
        if fl["length"] > 0:
            body = body + sp + proof_s
    elif channel == "social":
        parts = [intro_s if rng.random() < 0.5 else pick_pitch()]
        if fl["length"] > 0:
            parts.append(pick_pitch())
        for s in (offer_s, urg_s, personal_s):
            if s:
                parts.append(s)
        if fl["length"] >= 0 or rng.random() < 0.5:
            parts.append(fill(rng.choice(L["questions"]), ctx) if rng.random() < 0.3 else proof_s)
        body = sp.join(dict.fromkeys(parts)) + " " + (T["tags_en"] if en else T["tags_zh"])
        if fl["emoji"] and rng.random() < 0.5:
            body = rng.choice(T["emoji"]) + " " + body
        if fl["length"] < 0:
            body = parts[0] + " " + (T["tags_en"] if en else T["tags_zh"])
    elif channel == "search-ad":
        c2 = dict(ctx, cta=cta, offer_s=(offer_s + " ") if offer_s and en else (offer_s or ""),
                  urg_s=(urg_s + " ") if urg_s and en else (urg_s or ""))
        if not en and c2["offer_s"] and not c2["offer_s"].endswith("。"):
            c2["offer_s"] += "。"
        body = fill(rng.choice(SEARCH_DESC[lang]), c2)
    else:  # landing
        parts = [fill("{F1}, {f2} and {f3}." if en else "{f1}，{f2}，{f3}。", ctx)]
        if notes:
            parts.append(fill("In the cup: {n1}, {n2} and {n3}." if en else "茶汤里有{n1}，也有{n2}。", ctx))
        if fl["length"] > 0:
            parts.append(intro_s)
        for s in (personal_s, offer_s, proof_s, urg_s):
            if s:
                parts.append(s)
        body = fill(ctx["Benefit_s"] if en else ctx["benefit"], {}) + ("." if en else "。") + "\n" + \
            sp.join(dict.fromkeys(parts))
    return head, body, cta


CAMPAIGN_HEADER = ["id", "date", "channel", "segment", "language", "headline", "body", "cta",
                   "impressions", "clicks", "conversions", "revenue", "product_id"]
AUDIENCE = {"email": (4000, 60000), "sms": (3000, 40000), "push": (8000, 120000),
            "social": (20000, 400000), "search-ad": (5000, 90000), "landing": (1500, 25000)}
SEG_SIZE = {"vip": 0.25, "lapsed": 1.2, "all": 2.0, "loyal": 0.8, "new": 0.6, "bargain": 0.9}


def gen_campaigns(prods, n=300, keep=None):
    """keep (a list) receives the per-campaign features and true CTR, for --check."""
    rng = rng_for("campaigns")          # what was sent
    out = rng_for("campaign-outcomes")  # how it did
    by_sku = {p["sku"]: p for p in prods}
    start, end = dt.date(2024, 12, 1), dt.date(2026, 11, 15)
    dates = sorted(start + dt.timedelta(days=rng.randrange((end - start).days + 1)) for _ in range(n))
    rows = []
    for cid, date in enumerate(dates, 1):
        channel = weighted(rng, [("email", 22), ("sms", 15), ("push", 18), ("social", 18),
                                 ("search-ad", 12), ("landing", 15)])
        seg = weighted(rng, [("all", 22), ("loyal", 18), ("new", 14), ("lapsed", 16), ("vip", 12), ("bargain", 18)])
        lang = "zh" if rng.random() < 0.68 else "en"
        theme, in_season = theme_for(rng, date, seg)
        skus = THEMES[theme]["products"]
        if skus == "tea":
            prod = rng.choice([p for p in prods if p["category"] not in ("teaware", "gift")])
        else:
            prod = by_sku[rng.choice(skus)] if skus else rng.choice(prods)
        if channel == "search-ad" and prod["category"] == "gift" and rng.random() < 0.5:
            prod = by_sku["SL-GRN-001"]
        fl = dict(
            number=rng.random() < (0.7 if seg == "bargain" or theme == "double11" else 0.45),
            question=rng.random() < 0.25,
            urgency=rng.random() < (0.6 if theme == "double11" else 0.3),
            personal=rng.random() < {"email": 0.4, "sms": 0.3, "push": 0.35, "social": 0.12,
                                     "search-ad": 0.0, "landing": 0.15}[channel],
            emoji=rng.random() < {"email": 0.25, "sms": 0.12, "push": 0.45, "social": 0.6,
                                  "search-ad": 0.0, "landing": 0.1}[channel],
            cta_strong=rng.random() < 0.55,
            overload=rng.random() < 0.06,
            length=weighted(rng, [(-1, 20), (0, 55), (1, 25)]),
        )
        head, body, cta = compose(rng, lang, channel, seg, theme, prod, fl)
        f = copy_features(channel, lang, seg, head, body, cta, in_season)
        z_true = model_logit(channel, seg, f)
        ctr = sigmoid(z_true + out.gauss(0, NOISE_SD))
        lo, hi = AUDIENCE[channel]
        imps = int(math.exp(out.uniform(math.log(lo), math.log(hi))) * SEG_SIZE[seg])
        clicks = binom(out, imps, ctr)
        cvr = CVR_BASE[channel] * CVR_SEG[seg] * (1.15 if f["discount"] else 1.0) * math.exp(out.gauss(0, 0.25))
        conv = binom(out, clicks, min(0.9, cvr))
        unit = prod["list_price"] * (0.85 if f["discount"] else 1.0)
        revenue = sum(unit * lognormal_mean(out, 1.35, 0.35) for _ in range(conv))
        rows.append([cid, iso(date), channel, seg, lang, head, body, cta, imps, clicks, conv,
                     money(revenue), prod["id"]])
        if keep is not None:
            keep.append(dict(channel=channel, segment=seg, lang=lang, f=f, z=z_true, ctr=ctr,
                             obs=clicks / imps, text=head + " " + body + " " + cta))
    return CAMPAIGN_HEADER, rows


# ---------------------------------------------------------------------------
# --check: how learnable is the click rate?
# ---------------------------------------------------------------------------
def spearman(a, b):
    def ranks(v):
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        i = 0
        while i < len(v):
            j = i
            while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2.0
            i = j + 1
        return r
    ra, rb = ranks(a), ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    va = math.sqrt(sum((x - ma) ** 2 for x in ra))
    vb = math.sqrt(sum((y - mb) ** 2 for y in rb))
    return cov / (va * vb)


def _solve(a, b):
    """Gaussian elimination with partial pivoting; a is n x n (modified), b length n."""
    n = len(b)
    for c in range(n):
        piv = max(range(c, n), key=lambda r: abs(a[r][c]))
        a[c], a[piv] = a[piv], a[c]
        b[c], b[piv] = b[piv], b[c]
        for r in range(c + 1, n):
            m = a[r][c] / a[c][c]
            if m:
                row_r, row_c = a[r], a[c]
                for k in range(c, n):
                    row_r[k] -= m * row_c[k]
                b[r] -= m * b[c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (b[r] - sum(a[r][k] * x[k] for k in range(r + 1, n))) / a[r][r]
    return x


def ridge_cv(X, y, lam=1.0, folds=5):
    """Kernel (dual) ridge with a linear kernel on sparse dict rows; 5-fold CV predictions."""
    def dot(u, v):
        if len(u) > len(v):
            u, v = v, u
        return sum(w * v.get(k, 0.0) for k, w in u.items())
    n = len(y)
    pred = [0.0] * n
    for f in range(folds):
        tr = [i for i in range(n) if i % folds != f]
        te = [i for i in range(n) if i % folds == f]
        mu = sum(y[i] for i in tr) / len(tr)
        K = [[dot(X[i], X[j]) + (lam if i == j else 0.0) for j in tr] for i in tr]
        alpha = _solve(K, [y[i] - mu for i in tr])
        for i in te:
            pred[i] = mu + sum(a * dot(X[i], X[j]) for a, j in zip(alpha, tr))
    return pred


def check_model(keep):
    obs = [k["obs"] for k in keep]
    logit_obs = [math.log((o + 1e-4) / (1 - o + 1e-4)) for o in obs]
    out = {}
    out["true_model_vs_observed"] = spearman([k["z"] for k in keep], obs)
    # copy-only score: the documented detectors with equal weights, no channel or segment
    simple = [k["f"]["number"] + k["f"]["question"] + k["f"]["urgency"] + k["f"]["cta_strong"] +
              k["f"]["personal"] - k["f"]["overload"] + k["f"]["length_fit"] for k in keep]
    out["simple_copy_score_vs_observed"] = spearman(simple, obs)
    base = [{"ch=" + k["channel"]: 1.0, "seg=" + k["segment"]: 1.0} for k in keep]
    out["channel_segment_only_cv"] = spearman(ridge_cv(base, logit_obs), obs)
    feat = []
    for k, b in zip(keep, base):
        d = dict(b)
        for name in ("number", "discount", "question", "urgency", "cta_strong", "personal",
                     "emoji", "overload", "length_fit", "in_season"):
            d[name] = float(k["f"][name])
        feat.append(d)
    out["detector_features_cv"] = spearman(ridge_cv(feat, logit_obs), obs)
    ngram = []
    for k, b in zip(keep, base):
        d = dict(b)
        t = k["text"].lower()
        toks = re.findall(r"[a-z0-9%¥]+|[\u4e00-\u9fff]", t)
        grams = toks + [a + " " + c for a, c in zip(toks, toks[1:])]
        for g in grams:
            h = "h%d" % (zlib.crc32(g.encode("utf-8")) % 4096)
            d[h] = d.get(h, 0.0) + 0.15
        d["emoji"] = 1.0 if has_emoji(t) else 0.0
        d["q"] = 1.0 if RE_QUESTION.search(t) else 0.0
        d["num"] = 1.0 if RE_DIGIT.search(t) else 0.0
        d["len"] = min(len(k["text"]), 400) / 400.0
        ngram.append(d)
    out["hashed_ngram_cv"] = spearman(ridge_cv(ngram, logit_obs, lam=1.0), obs)
    return out


# ---------------------------------------------------------------------------
# A/B test: three arms by day
# ---------------------------------------------------------------------------
AB_RATES = {"A": 0.0380, "B": 0.0380 * 1.12, "C": 0.0380 * 0.95}
AB_START = dt.date(2026, 10, 12)


AB_SALT = 5   # chosen so the observed result tells the designed story (see README)


def gen_ab(salt=AB_SALT):
    rng = rng_for("ab-%d" % salt)
    rows = []
    for day in range(21):
        d = AB_START + dt.timedelta(days=day)
        weekend = d.weekday() >= 5
        traffic = int(rng.gauss(8200 if weekend else 6800, 450))
        # equal split, visitor by visitor
        counts = {"A": 0, "B": 0, "C": 0}
        for _ in range(traffic):
            counts["ABC"[int(rng.random() * 3)]] += 1
        for arm in "ABC":
            n = counts[arm]
            conv = sum(1 for _ in range(n) if rng.random() < AB_RATES[arm])
            rev = sum(lognormal_mean(rng, 186.0, 0.55) for _ in range(conv))
            rows.append([iso(d), arm, n, conv, money(rev)])
    return ["date", "arm", "n", "conversions", "revenue"], rows


# ---------------------------------------------------------------------------
# Reviews
# ---------------------------------------------------------------------------
# REVIEWS[lang][topic][sentiment] -> sentence templates. {p} short product name,
# {n}/{n2} taste notes, {days} delivery days, {amt} a price drop in yuan.
REVIEWS = {
    "en": {
        "taste": {
            "positive": ["Lovely {n} notes and a long, sweet finish.",
                         "Brewed it at 80°C and got four lovely infusions, full of {n}.",
                         "The {p} has real {n} and {n2} notes, exactly what I hoped for.",
                         "Smooth, with hints of {n}, and no bitterness even when I forgot it in the pot.",
                         "This is my morning cup now. That {n} aroma is addictive.",
                         "Tastes far fresher than anything I've bought at the supermarket.",
                         "Lovely {n} aroma as soon as the water hits the leaves.",
                         "Holds up over several steeps; the third was my favourite.",
                         "I'm not an expert, but even I could taste the {n} notes.",
                         "Rich and easy to drink, with a lovely hint of {n2}."],
            "neutral": ["Pleasant enough, a bit milder than I expected.",
                        "Decent {p}, though the {n} notes are subtle.",
                        "Fine for everyday drinking, nothing special.",
                        "Good first infusion, but it fades quickly after that.",
                        "It's OK. I think I prefer something with a bit more body."],
            "negative": ["Tasted flat and a little stale.",
                         "Much more bitter than the description suggests.",
                         "I couldn't find any of the {n} notes the page talks about.",
                         "Weak flavour even with extra leaves.",
                         "There's an odd musty smell to the dry leaf. Not what I expect at this price."],
        },
        "quality": {
            "positive": ["The lid fits perfectly and it pours without a drip.",
                         "Heavier and better made than I expected.",
                         "Lovely glaze, and it keeps the heat off my fingers.",
                         "Well finished, no rough edges anywhere.",
                         "Feels like something that will last for years."],
            "neutral": ["Works fine, just a little smaller than the photos suggest.",
                        "Nice enough, though the colour is darker than on the website."],
            "negative": ["It drips every time I pour.", "Cracked after a week of normal use.",
                         "The lid rattles and doesn't sit flat.",
                         "The filter clogs after two uses and is hard to clean."],
        },
        "packaging": {
            "positive": ["The tin is gorgeous and seals tightly.",
                         "Packed with care, every pouch arrived intact.",
                         "Beautiful box, it feels really premium.",
                         "Each sachet is sealed separately, which is handy for travel.",
                         "Minimal plastic and a lovely paper box. Thank you."],
            "neutral": ["Packaging is fine, nothing fancy.",
                        "The box is nice but uses quite a lot of plastic."],
            "negative": ["The tin arrived dented.", "The inner bag was torn and leaves spilled everywhere.",
                         "Too much plastic for a brand that talks about nature.",
                         "The seal on the pouch was already open."],
        },
        "delivery": {
            "positive": ["Arrived in {days} days, well ahead of schedule.", "Fast delivery and a friendly courier.",
                         "Shipped the same day I ordered.", "Delivery was quick even to {city}."],
            "neutral": ["Took {days} days, about what I expected.",
                        "Delivery was OK, but tracking didn't update for a while."],
            "negative": ["Took {days} days to arrive and the tracking was useless.",
                         "The parcel was left outside in the rain.",
                         "Delivered to the wrong address and I had to chase it for a week."],
        },
        "price": {
            "positive": ["Great value for the quality.", "Cheaper than the tea shop in town, and better.",
                         "With the member discount it was a steal.", "Worth every yuan."],
            "neutral": ["A bit pricey, but you get what you pay for.", "Fair price, not a bargain."],
            "negative": ["Overpriced for what you get.",
                         "The price dropped ¥{amt} a week after I ordered. Not happy.",
                         "Too expensive to reorder."],
        },
        "service": {
            "positive": ["Customer service answered within minutes and sorted my question.",
                         "They replaced a damaged tin with no fuss.",
                         "There was a lovely hand-written note in the parcel.",
                         "They sent brewing tips when I asked, really helpful."],
            "neutral": ["Support took a day to reply but was helpful in the end."],
            "negative": ["I emailed twice about a missing item and got no reply.",
                         "The chat bot kept sending me in circles.",
                         "They refused a refund even though the box was damaged."],
        },
        "gift": {
            "positive": ["Bought it for my parents and they loved it.",
                         "Perfect gift for my boss; it looks far more expensive than it is.",
                         "Gave it to a friend who just moved and now she's hooked.",
                         "Sent it to my grandmother in Suzhou. She called to say thank you!",
                         "A thoughtful gift that doesn't look generic."],
            "neutral": ["Nice as a gift, though the greeting card was missing.",
                        "My father liked it, but he says he prefers his usual brand."],
            "negative": ["Meant as a gift, but the box was scuffed so I couldn't give it.",
                         "I paid for gift wrapping and it arrived unwrapped."],
        },
    },
    "zh": {
        "taste": {
            "positive": ["{n}明显，回甘很快，三四泡后依然有味道。", "汤色清亮，入口{n}，一点都不苦涩。",
                         "冲泡后{n}扑鼻，喝完嘴里甜甜的。", "比超市买的新鲜太多了，{n}很正。",
                         "每天早上泡一杯，整个人都放松了。", "叶底完整，{n}，是我喜欢的味道。",
                         "{p}的{n}很到位，也耐泡。", "第一口就喝出了{n}，后面还有{n2}。",
                         "不懂茶的老公都说好喝。", "冷泡热泡都试了，{n2}很干净。"],
            "neutral": ["口感还可以，就是{n}没有描述里那么明显。", "味道中规中矩，日常喝喝挺好。",
                        "第一泡不错，后面淡得有点快。", "还行吧，我个人更喜欢浓一点的。"],
            "negative": ["有股陈味，不像新茶。", "苦涩味很重，换了几种泡法都一样。",
                         "完全喝不出{n}，和描述差距太大。", "味道很淡，放再多茶叶也不行。",
                         "干茶有一股怪味，不敢喝。"],
        },
        "quality": {
            "positive": ["出汤顺畅，不滴水，也不烫手。", "做工精细，比想象中有分量。",
                         "釉色温润，越用越好看。", "细节处理得很好，没有毛边。", "质感很好，能用很多年。"],
            "neutral": ["用着还行，比图片看着小一点。", "颜色比网页上深一些，还能接受。"],
            "negative": ["出水总是滴漏。", "用了一周就裂了。", "盖子不严，晃来晃去。", "滤网很容易堵，也不好洗。"],
        },
        "packaging": {
            "positive": ["包装很精致，铁罐密封好。", "每一小袋都是独立包装，出差带着很方便。",
                         "礼盒质感很好，拿得出手。", "包装很用心，一点都没压坏。", "纸盒环保又好看，点赞。"],
            "neutral": ["包装一般，中规中矩。", "盒子挺好看，就是塑料有点多。"],
            "negative": ["铁罐压瘪了一个角。", "内袋破了，茶叶撒了一盒子。", "包装太简陋，和价格不匹配。",
                         "封口是开的，不知道有没有受潮。"],
        },
        "delivery": {
            "positive": ["物流很快，{days}天就到了。", "顺丰发货，第二天就收到了。", "快递小哥很负责，送货上门。",
                         "下单当天就发货了，很给力。"],
            "neutral": ["{days}天到货，速度还行。", "物流信息更新有点慢，不过最后到了。"],
            "negative": ["等了{days}天才到，物流信息一直不更新。", "快递直接放在门口，外箱都湿了。",
                         "送错地址，来回折腾了好几天。"],
        },
        "price": {
            "positive": ["这个价位能买到这个品质，很值。", "活动价入手，性价比很高。", "比茶叶店便宜，品质还更好。",
                         "会员价买的，划算。"],
            "neutral": ["价格偏高，不过品质对得起。", "价格正常，不算便宜。"],
            "negative": ["价格虚高，不值这个钱。", "刚买完就降价{amt}元，心塞。", "太贵了，不会再回购。"],
        },
        "service": {
            "positive": ["客服很耐心，推荐的冲泡方法很实用。", "有一罐压坏了，客服马上给补发了。",
                         "包裹里还有手写卡片，很暖心。", "问了好多问题，客服都回答得很专业。"],
            "neutral": ["客服回复有点慢，但问题解决了。"],
            "negative": ["问了两次客服都没人回。", "售后推来推去，体验很差。", "盒子坏了也不给退，态度很差。"],
        },
        "gift": {
            "positive": ["买来送爸妈，他们很喜欢。", "送领导的，包装大气，很有面子。", "中秋送客户，反馈都很好。",
                         "给外婆寄了一盒，她打电话来说好喝。", "送朋友的乔迁礼，很体面。"],
            "neutral": ["送人还可以，就是贺卡没放。", "我爸说还行，不过他还是喜欢自己常喝的那款。"],
            "negative": ["本来打算送人，结果盒子有划痕，没法送。", "选了礼品包装，结果没包。"],
        },
    },
}
REVIEW_OPEN = {
    "en": ["Second order now.", "Bought this on a friend's recommendation.", "Long-time tea drinker here.",
           "First time trying this brand.", "Ordered during the sale.", "I've been drinking {p} for years.",
           "Honest review:", "Bought two tins."],
    "zh": ["第二次回购了。", "朋友推荐来买的。", "喝茶十几年了，说句实话。", "第一次买这家。", "趁活动囤了几罐。",
           "一直喝{p}，", "说说真实感受：", "买了两罐。"],
}
REVIEW_CLOSE = {
    "en": {"positive": ["Will buy again.", "Recommended.", "Five stars from me.", "Already ordered more.",
                        "Highly recommend it to anyone getting into Chinese tea."],
           "neutral": ["Might try something else next time.", "Three stars.", "It's fine."],
           "negative": ["Won't be buying again.", "Hope they fix this.", "Disappointed.",
                        "Not what I expected from this shop."]},
    "zh": {"positive": ["会回购！", "推荐！", "五星好评。", "已经推荐给同事了。", "好评。", "下次还来。"],
           "neutral": ["再观望一下。", "下次试试别的款。", "总体还行。"],
           "negative": ["不会再买了。", "希望改进。", "差评。", "失望。", "建议大家慎重。"]},
}
REVIEW_USAGE = {
    "en": ["I drink it every afternoon at work.", "We brew it gongfu style in a small gaiwan.",
           "I mostly cold-brew it overnight.", "My partner and I share a pot on Sunday mornings.",
           "I use about 5 g for a 150 ml pot.", "Brewed western style in a big mug.",
           "Tried it with water at 85°C, as the label suggests."],
    "zh": ["办公室午后一杯。", "一般用盖碗功夫泡。", "夏天主要拿来冷泡。", "周末和家人一起喝。",
           "一泡放5克左右。", "懒得讲究，直接大杯泡。", "按包装上写的85度水温泡的。", "出差也带着。"],
}
TOPIC_WEIGHTS = {
    "tea": [("taste", 38), ("packaging", 12), ("delivery", 15), ("price", 12), ("service", 8), ("gift", 15)],
    "teaware": [("quality", 40), ("packaging", 15), ("delivery", 15), ("price", 12), ("service", 8), ("gift", 10)],
    "gift": [("gift", 40), ("packaging", 20), ("taste", 15), ("delivery", 13), ("price", 7), ("service", 5)],
}
REVIEW_CITIES = ["Shanghai", "Chengdu", "London", "Vancouver", "Harbin", "Kunming", "Singapore"]


def gen_reviews(prods, n=2000):
    rng = rng_for("reviews")
    rows = []
    start = dt.date(2024, 6, 1)
    for rid in range(1, n + 1):
        # popular teas collect more reviews
        prod = weighted(rng, [(p, 3.0 if p["category"] in ("green", "oolong") else
                               1.2 if p["category"] == "teaware" else 2.0) for p in prods])
        lang = "zh" if rng.random() < 0.78 else "en"
        rating = weighted(rng, [(5, 52), (4, 24), (3, 10), (2, 6), (1, 8)])
        sent = "positive" if rating >= 4 else "neutral" if rating == 3 else "negative"
        kind = "teaware" if prod["category"] == "teaware" else "gift" if prod["category"] == "gift" else "tea"
        tw = TOPIC_WEIGHTS[kind]
        if sent == "negative":   # complaints are more often about logistics and service
            tw = [(t, w * (1.8 if t in ("delivery", "packaging", "service") else 1.0)) for t, w in tw]
        topic = weighted(rng, tw)
        lo = max(start, prod["launch"] + dt.timedelta(days=3))
        if lo > AS_OF:
            lo = AS_OF - dt.timedelta(days=30)
        date = lo + dt.timedelta(days=rng.randrange((AS_OF - lo).days + 1))
        notes = prod["notes_en"] if lang == "en" else prod["notes_zh"]
        ctx = dict(p=prod["short_en"] if lang == "en" else prod["short_zh"],
                   n=rng.choice(notes) if notes else "", days=rng.randrange(2, 5) if sent == "positive"
                   else rng.randrange(4, 12), amt=rng.choice([20, 30, 40, 50]),
                   city=rng.choice(REVIEW_CITIES))
        ctx["n2"] = rng.choice([x for x in notes if x != ctx["n"]]) if notes else ""
        pool = REVIEWS[lang]
        main = fill(rng.choice(pool[topic][sent]), ctx)
        parts = []
        if rng.random() < 0.35:
            opens = [o for o in REVIEW_OPEN[lang] if kind == "tea" or not any(
                w in o for w in ("{p}", "tins", "罐"))]
            parts.append(fill(rng.choice(opens), ctx))
        parts.append(main)
        if kind != "teaware" and rng.random() < 0.22:
            parts.append(rng.choice(REVIEW_USAGE[lang]))
        if rng.random() < 0.6:
            others = [t for t, _ in TOPIC_WEIGHTS[kind] if t != topic]
            t2 = rng.choice(others)
            s2 = sent if sent != "neutral" else rng.choice(["positive", "negative", "neutral"])
            if rating == 4 and rng.random() < 0.3:
                s2 = "neutral"
            second = fill(rng.choice(pool[t2][s2]), ctx)
            if lang == "en" and s2 != sent and rng.random() < 0.6:
                second = "That said, " + second[:1].lower() + second[1:]
            elif lang == "zh" and s2 != sent and "不过" not in second and rng.random() < 0.6:
                second = "不过" + second
            parts.append(second)
        if rng.random() < 0.5:
            parts.append(rng.choice(REVIEW_CLOSE[lang][sent]))
        parts = list(dict.fromkeys(parts))
        if lang == "en":
            text = " ".join(parts)
            if len(parts) >= 3 and rng.random() < 0.06:
                text = " ".join(parts[:-1]) + "\n" + parts[-1]
        else:
            text = "".join(parts)
            if len(parts) >= 3 and rng.random() < 0.06:
                text = "".join(parts[:-1]) + "\n" + parts[-1]
            if rng.random() < 0.08:     # a few buyers type in a hurry
                text = text.replace("。", "，", text.count("。") - 1) if text.count("。") > 1 else text
        rows.append([rid, prod["id"], iso(date), lang, rating, text, sent, topic])
    rows.sort(key=lambda r: (r[2], r[0]))
    for i, r in enumerate(rows, 1):
        r[0] = i
    return ["id", "product_id", "date", "language", "rating", "text", "sentiment", "topic"], rows


# ---------------------------------------------------------------------------
# brand.json and prompt templates
# ---------------------------------------------------------------------------
BRAND = {
    "name": BRAND_EN,
    "name_zh": BRAND_ZH,
    "tagline": "Mountain tea, unhurried.",
    "tagline_zh": "山里的茶，慢慢喝。",
    "website": "shanlan.example.com",
    "currency": "CNY",
    "voice": "calm, warm and knowledgeable, like a friend who runs a small tea house; "
             "specific about taste and origin, never pushy",
    "voice_zh": "沉静、温暖、懂茶，像开茶舍的朋友在聊天；讲清楚味道和产地，不吆喝、不夸大",
    "tone_words": ["calm", "warm", "seasonal", "hand-picked", "fresh", "unhurried", "crafted",
                   "mountain", "清新", "温润", "时令", "手工", "山野", "慢慢", "用心"],
    "required_terms": ["Shanlan", "山岚"],
    "required_terms_en": ["Shanlan"],
    "required_terms_zh": ["山岚"],
    "banned_terms": ["cheap", "miracle", "cure", "detox", "weight loss", "guaranteed",
                     "best in the world", "No.1", "廉价", "神效", "包治", "排毒", "减肥", "最便宜",
                     "国家级", "第一品牌", "顶级"],
    "channels": {
        "email": {"subject_max": 60, "preheader_max": 100,
                  "note": "Subject first: product or season, then the offer. Sign off as the Shanlan Tea House team."},
        "sms": {"max_chars_gsm7": 160, "max_chars_ucs2": 70, "prefix_zh": "【山岚茶舍】",
                "prefix_en": "Shanlan Tea:", "opt_out_en": "Reply STOP to opt out", "opt_out_zh": "回T退订",
                "note": "A message holding any Chinese character is sent as UCS-2: 70 characters a segment."},
        "push": {"title_max": 40, "body_max": 120, "note": "One idea per push; emoji welcome, at most one."},
        "social": {"post_max": 280, "hashtags_en": ["#ShanlanTea", "#TeaTime"],
                   "hashtags_zh": ["#山岚茶舍#", "#喝茶#"], "note": "Weibo and Xiaohongshu use #tag# with two marks."},
        "search-ad": {"headline_max": 30, "description_max": 90,
                      "note": "No emoji and no exclamation mark in headlines (ad policy)."},
        "landing": {"headline_max": 60, "subheadline_max": 120,
                    "note": "Hero headline, one-line subheadline, then the story and the offer."},
    },
}

TEMPLATES = {
    "spring-email": """---
name: spring-email
channel: email
language: zh
fields: subject, preheader, body, cta
variants: 4
temperature: 0.9
max_tokens: 400
tone: warm
system: 你是「{{brand.name_zh}}」的资深文案，语气{{brand.voice_zh}}。
---
为{{segment.name}}写一封春季新茶邮件。
产品：{{product.name_zh}}，¥{{product.price}}，{{product.features_zh}}
人群特征：{{segment.profile}}
要求：突出{{product.benefits_zh}}，主题不超过24个字，结尾给出明确的行动号召。{{note|default:""}}
""",
    "flash-sale-sms": """---
name: flash-sale-sms
channel: sms
language: en
fields: body
variants: 5
temperature: 0.8
max_tokens: 120
tone: urgent
system: You write SMS for {{brand.name}}. Voice: {{brand.voice}}. Never promise what the offer does not give.
---
Write one SMS for the {{segment.name}} segment announcing a short sale on {{product.name_en}}.
Price now ¥{{product.price}} (list price ¥{{product.list_price}}, {{product.discount_pct}}% off).
Who they are: {{segment.profile}}
Start with "Shanlan Tea:", keep the whole message under 160 characters including the link
{{link|default:"slt.example/sale"}} and end with "Reply STOP to opt out". Deadline: {{deadline|default:"Sunday midnight"}}.
""",
    "restock-push": """---
name: restock-push
channel: push
language: zh
fields: title, body
variants: 6
temperature: 1.0
max_tokens: 120
tone: playful
system: 你为「{{brand.name_zh}}」App写推送通知，语气{{brand.voice_zh}}。
---
{{product.name_zh}}补货了，给{{segment.name}}写一条推送。
标题不超过16个字，正文不超过45个字，可以用一个表情。
卖点：{{product.benefits_zh}}
人群特征：{{segment.profile}}
{{extra|default:"不要提折扣。"}}
""",
    "midautumn-social": """---
name: midautumn-social
channel: social
language: en
fields: post, hashtags
variants: 4
temperature: 0.9
max_tokens: 300
tone: warm
system: You are the social media voice of {{brand.name}} ({{brand.name_zh}}). Voice: {{brand.voice}}.
---
Write a post for Instagram and Facebook about {{product.name_en}} as a Mid-Autumn Festival gift.
What is in it: {{product.features_en}}.
Why people love it: {{product.benefits_en}}.
Audience: {{segment.name}} ({{segment.profile}}).
Under 280 characters, at most two emoji, and end with a question to invite comments.
Hashtags: #ShanlanTea #MidAutumn {{hashtags|default:""}}
""",
    "search-ad": """---
name: search-ad
channel: search-ad
language: en
fields: headline, description
variants: 8
temperature: 0.7
max_tokens: 160
tone: direct
system: You write responsive search ads for {{brand.name}}. Headlines at most 30 characters, descriptions at most 90. No emoji, no exclamation marks, no superlatives such as best or number one.
---
Keyword theme: {{keyword|default:"chinese green tea"}}
Product: {{product.name_en}} ({{product.category}}), ¥{{product.price}}.
Selling points: {{product.features_en}}
Offer: {{offer|default:"free delivery over ¥199"}}
Write headlines that include the keyword theme or the product name, and one description with a clear call to action.
""",
    "gift-landing": """---
name: gift-landing
channel: landing
language: zh
fields: headline, subheadline, body, cta
variants: 3
temperature: 0.8
max_tokens: 600
tone: elegant
system: 你是「{{brand.name_zh}}」官网的落地页文案，语气{{brand.voice_zh}}。遵守广告法：不用“最”“第一”“国家级”等绝对化用语，不做功效承诺。
---
为{{product.name_zh}}写一个送礼落地页的首屏和正文。
价格：¥{{product.price}}（原价¥{{product.list_price}}）
产品特点：{{product.features_zh}}
打动人的地方：{{product.benefits_zh}}
目标人群：{{segment.name}}，{{segment.profile}}
标题不超过24个字；正文三段：送礼场景、茶与工艺、下单与配送。{{occasion|default:""}}
""",
}


# ---------------------------------------------------------------------------
def write_all(out_dir, check=False):
    prods = product_records()
    data = os.path.join(out_dir, "data")
    counts = {}
    for name, (header, rows) in [
            ("products.csv", gen_products(prods)),
            ("customers.csv", gen_customers()),
            ("campaigns.csv", gen_campaigns(prods)),
            ("ab_results.csv", gen_ab()),
            ("reviews.csv", gen_reviews(prods))]:
        write_csv(os.path.join(data, name), header, rows)
        counts[name] = len(rows)
    with open(os.path.join(out_dir, "brand.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(BRAND, f, ensure_ascii=False, indent=2)
        f.write("\n")
    tdir = os.path.join(out_dir, "templates")
    os.makedirs(tdir, exist_ok=True)
    for name in sorted(TEMPLATES):
        with open(os.path.join(tdir, name + ".tmpl"), "w", encoding="utf-8", newline="\n") as f:
            f.write(TEMPLATES[name])
    for name in sorted(counts):
        print("%-16s %6d rows" % (name, counts[name]))
    if check:
        keep = []
        gen_campaigns(prods, keep=keep)
        for k, v in check_model(keep).items():
            print("%-32s %.3f" % (k, v))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate copylab's sample workspace (deterministic).")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                    help="output folder (default: the folder of this script)")
    ap.add_argument("--check", action="store_true",
                    help="also report how learnable the campaign click rate is (slower)")
    args = ap.parse_args(argv)
    write_all(args.out, args.check)
    return 0


if __name__ == "__main__":
    sys.exit(main())
