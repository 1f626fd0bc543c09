"""Word lists for the demo catalogue (Chinese with English). ``demo.py`` combines them
with a seeded random generator into products, variants, images and configurator rules."""

from __future__ import annotations

from dataclasses import dataclass, field

Pair = tuple[str, str]  # (Chinese, English)


@dataclass(frozen=True)
class Kind:
    code: str
    name: Pair
    price: tuple[int, int]  # yuan, low and high
    shape: str  # how demo_images draws it
    axes: tuple[str, ...] = ()  # attribute codes the variants differ by
    specs: tuple[Pair, ...] = ()  # added to the name: "3L", "500g"…
    uses: tuple[Pair, ...] = ()


@dataclass(frozen=True)
class Leaf:
    slug: str
    name: Pair
    brands: tuple[str, ...]
    kinds: tuple[Kind, ...]
    adjectives: tuple[Pair, ...]
    features: tuple[Pair, ...]
    per_kind: int = 4
    delivery_days: int = 2


@dataclass(frozen=True)
class Top:
    slug: str
    name: Pair
    leaves: tuple[Leaf, ...] = field(default_factory=tuple)


# code: (zh, en, slug)
BRANDS: dict[str, tuple[str, str]] = {
    "apple": ("苹果", "Apple"),
    "huawei": ("华为", "Huawei"),
    "xiaomi": ("小米", "Xiaomi"),
    "honor": ("荣耀", "Honor"),
    "oppo": ("OPPO", "OPPO"),
    "vivo": ("vivo", "vivo"),
    "anker": ("安克", "Anker"),
    "ugreen": ("绿联", "Ugreen"),
    "baseus": ("倍思", "Baseus"),
    "edifier": ("漫步者", "Edifier"),
    "semir": ("森马", "Semir"),
    "hla": ("海澜之家", "HLA"),
    "bosideng": ("波司登", "Bosideng"),
    "peacebird": ("太平鸟", "Peacebird"),
    "lining": ("李宁", "Li-Ning"),
    "anta": ("安踏", "Anta"),
    "warrior": ("回力", "Warrior"),
    "xtep": ("特步", "Xtep"),
    "belle": ("百丽", "Belle"),
    "midea": ("美的", "Midea"),
    "gree": ("格力", "Gree"),
    "haier": ("海尔", "Haier"),
    "joyoung": ("九阳", "Joyoung"),
    "supor": ("苏泊尔", "Supor"),
    "bestore": ("良品铺子", "Bestore"),
    "three-squirrels": ("三只松鼠", "Three Squirrels"),
    "yili": ("伊利", "Yili"),
    "master-kong": ("康师傅", "Master Kong"),
    "wuchang": ("五常大米", "Wuchang Rice"),
    "zhangyiyuan": ("张一元", "Zhang Yiyuan"),
    "pwph": ("人民文学出版社", "People's Literature Publishing House"),
    "citic": ("中信出版社", "CITIC Press"),
    "cp": ("商务印书馆", "The Commercial Press"),
    "pechoin": ("百雀羚", "Pechoin"),
    "chando": ("自然堂", "Chando"),
    "herborist": ("佰草集", "Herborist"),
    "baiyao": ("云南白药", "Yunnan Baiyao"),
    "decathlon": ("迪卡侬", "Decathlon"),
    "dhs": ("红双喜", "DHS"),
    "yonex": ("尤尼克斯", "Yonex"),
    "rastar": ("星辉", "Rastar"),
    "keeppley": ("启蒙", "Enlighten"),
    "deli-toys": ("贝恩施", "Beiens"),
    "pampers": ("帮宝适", "Pampers"),
    "goodbaby": ("好孩子", "Goodbaby"),
    "pigeon": ("贝亲", "Pigeon"),
    "mg": ("晨光", "M&G"),
    "deli": ("得力", "Deli"),
    "hero": ("英雄", "Hero"),
    "royal-canin": ("皇家", "Royal Canin"),
    "nature-bridge": ("比瑞吉", "Nature Bridge"),
    "petkit": ("小佩", "Petkit"),
    "fuanna": ("富安娜", "Fuanna"),
    "mercury": ("水星家纺", "Mercury Home"),
}

# attribute code: (zh, en, [(code, zh, en, swatch)])
ATTRIBUTES: dict[str, tuple[str, str, list[tuple[str, str, str, str]]]] = {
    "colour": (
        "颜色",
        "Colour",
        [
            ("black", "黑色", "Black", "#1b1b1f"),
            ("white", "白色", "White", "#f2f2f2"),
            ("grey", "灰色", "Grey", "#8a8a96"),
            ("navy", "藏青", "Navy", "#1f2f5c"),
            ("red", "中国红", "Red", "#b3261e"),
            ("green", "松绿", "Green", "#2f6b3a"),
            ("pink", "樱花粉", "Pink", "#e8a0b4"),
            ("beige", "米色", "Beige", "#d9c7a7"),
            ("blue", "天蓝", "Sky blue", "#4f8fd6"),
            ("yellow", "柠檬黄", "Lemon", "#e9cf3c"),
        ],
    ),
    "size": (
        "尺码",
        "Size",
        [(c, c, c, "") for c in ("S", "M", "L", "XL", "XXL")],
    ),
    "shoe-size": (
        "鞋码",
        "Shoe size",
        [(str(n), str(n), f"EU {n}", "") for n in range(36, 46)],
    ),
    "weight": (
        "规格",
        "Pack size",
        [
            ("250g", "250克", "250 g", ""),
            ("500g", "500克", "500 g", ""),
            ("1kg", "1千克", "1 kg", ""),
            ("5kg", "5千克", "5 kg", ""),
        ],
    ),
    "volume": (
        "容量",
        "Volume",
        [
            ("30ml", "30毫升", "30 ml", ""),
            ("50ml", "50毫升", "50 ml", ""),
            ("100ml", "100毫升", "100 ml", ""),
            ("200ml", "200毫升", "200 ml", ""),
        ],
    ),
    "binding": (
        "装帧",
        "Binding",
        [("paperback", "平装", "Paperback", ""), ("hardcover", "精装", "Hardcover", "")],
    ),
    "diaper-size": (
        "纸尿裤尺码",
        "Nappy size",
        [(c, c, c, "") for c in ("NB", "S", "M", "L", "XL")],
    ),
    "bed-size": (
        "床尺寸",
        "Bed size",
        [
            ("1.5m", "1.5米床", "1.5 m bed", ""),
            ("1.8m", "1.8米床", "1.8 m bed", ""),
            ("2.0m", "2.0米床", "2.0 m bed", ""),
        ],
    ),
}

PHONE_SERIES: tuple[Pair, ...] = (
    ("极光", "Aurora"),
    ("青云", "Cloud"),
    ("锐影", "Swift"),
    ("远峰", "Summit"),
    ("星耀", "Stellar"),
)

PHONE_FEATURES: tuple[Pair, ...] = (
    ("6.7 英寸 OLED 屏幕，120Hz 高刷", "6.7-inch 120 Hz OLED screen"),
    ("5000 毫安时大电池，支持 66W 快充", "5,000 mAh battery with 66 W fast charging"),
    ("IP68 防尘防水", "IP68 dust and water resistance"),
    ("支持北斗卫星定位", "BeiDou satellite positioning"),
    ("双卡双待 5G 全网通", "dual-SIM 5G on all carriers"),
    ("屏下指纹与人脸解锁", "in-screen fingerprint and face unlock"),
)

COMMON_USES: tuple[Pair, ...] = (
    ("日常使用", "everyday use"),
    ("送给家人", "a gift for the family"),
    ("居家和出行", "home and travel"),
)


def _k(
    code: str,
    zh: str,
    en: str,
    low: int,
    high: int,
    shape: str,
    axes: tuple[str, ...] = (),
    specs: tuple[Pair, ...] = (),
) -> Kind:
    return Kind(code=code, name=(zh, en), price=(low, high), shape=shape, axes=axes, specs=specs)


CATALOGUE: tuple[Top, ...] = (
    Top(
        "digital",
        ("手机数码", "Phones & digital"),
        (
            Leaf(
                "phones",
                ("手机", "Phones"),
                ("apple", "huawei", "xiaomi", "honor", "oppo", "vivo"),
                (_k("phone", "手机", "Phone", 1999, 5999, "phone"),),
                (),
                PHONE_FEATURES,
                per_kind=30,
                delivery_days=4,
            ),
            Leaf(
                "accessories",
                ("数码配件", "Digital accessories"),
                ("anker", "ugreen", "baseus", "edifier"),
                (
                    _k(
                        "charger",
                        "充电器",
                        "charger",
                        59,
                        199,
                        "charger",
                        ("colour",),
                        (("65W", "65 W"), ("30W", "30 W")),
                    ),
                    _k(
                        "cable", "数据线", "USB-C cable", 19, 69, "cable", ("colour",), (("1米", "1 m"), ("2米", "2 m"))
                    ),
                    _k(
                        "powerbank",
                        "充电宝",
                        "power bank",
                        99,
                        299,
                        "powerbank",
                        ("colour",),
                        (("10000毫安", "10,000 mAh"), ("20000毫安", "20,000 mAh")),
                    ),
                    _k("earbuds", "无线耳机", "wireless earbuds", 149, 899, "earbuds", ("colour",)),
                    _k("case", "手机壳", "phone case", 29, 99, "case", ("colour",)),
                    _k("speaker", "蓝牙音箱", "Bluetooth speaker", 129, 599, "speaker", ("colour",)),
                ),
                (
                    ("快充", "Fast"),
                    ("便携", "Portable"),
                    ("轻薄", "Slim"),
                    ("降噪", "Noise-cancelling"),
                    ("耐用", "Durable"),
                ),
                (
                    ("兼容主流手机", "works with most phones"),
                    ("过充保护", "overcharge protection"),
                    ("一年质保", "one-year warranty"),
                ),
                per_kind=5,
            ),
        ),
    ),
    Top(
        "clothing",
        ("服装", "Clothing"),
        (
            Leaf(
                "menswear",
                ("男装", "Menswear"),
                ("semir", "hla", "bosideng", "peacebird"),
                (
                    _k("tshirt", "T恤", "T-shirt", 49, 159, "shirt", ("colour", "size")),
                    _k("shirt", "衬衫", "shirt", 99, 299, "shirt", ("colour", "size")),
                    _k("hoodie", "卫衣", "hoodie", 129, 359, "shirt", ("colour", "size")),
                    _k("jeans", "牛仔裤", "jeans", 149, 399, "trousers", ("colour", "size")),
                    _k("downjacket", "羽绒服", "down jacket", 399, 1299, "jacket", ("colour", "size")),
                ),
                (
                    ("纯棉", "Cotton"),
                    ("宽松", "Relaxed"),
                    ("修身", "Slim-fit"),
                    ("休闲", "Casual"),
                    ("加绒", "Fleece-lined"),
                ),
                (
                    ("透气舒适", "breathable and comfortable"),
                    ("机洗不变形", "keeps its shape in the wash"),
                    ("经典百搭", "goes with everything"),
                ),
                per_kind=6,
            ),
            Leaf(
                "womenswear",
                ("女装", "Womenswear"),
                ("semir", "peacebird", "bosideng"),
                (
                    _k("dress", "连衣裙", "dress", 159, 499, "dress", ("colour", "size")),
                    _k("blouse", "衬衫", "blouse", 99, 299, "shirt", ("colour", "size")),
                    _k("knit", "针织衫", "knit sweater", 129, 399, "shirt", ("colour", "size")),
                    _k("coat", "大衣", "coat", 499, 1599, "jacket", ("colour", "size")),
                    _k("skirt", "半身裙", "skirt", 99, 299, "dress", ("colour", "size")),
                ),
                (
                    ("法式", "French-style"),
                    ("碎花", "Floral"),
                    ("通勤", "Office"),
                    ("复古", "Retro"),
                    ("简约", "Minimal"),
                ),
                (
                    ("垂感面料", "fabric with a soft drape"),
                    ("显瘦版型", "flattering cut"),
                    ("四季可穿", "for every season"),
                ),
                per_kind=6,
            ),
        ),
    ),
    Top(
        "shoes",
        ("鞋靴", "Shoes"),
        (
            Leaf(
                "sneakers",
                ("运动鞋", "Sneakers"),
                ("lining", "anta", "warrior", "xtep"),
                (
                    _k("running", "跑步鞋", "running shoes", 199, 899, "shoe", ("colour", "shoe-size")),
                    _k("canvas", "帆布鞋", "canvas shoes", 79, 199, "shoe", ("colour", "shoe-size")),
                    _k("basketball", "篮球鞋", "basketball shoes", 299, 999, "shoe", ("colour", "shoe-size")),
                ),
                (("轻便", "Light"), ("缓震", "Cushioned"), ("透气", "Breathable"), ("经典", "Classic")),
                (
                    ("防滑耐磨鞋底", "non-slip hard-wearing sole"),
                    ("网面透气", "breathable mesh"),
                    ("适合久站久走", "made for long days on your feet"),
                ),
                per_kind=8,
            ),
            Leaf(
                "leather-shoes",
                ("皮鞋", "Leather shoes"),
                ("belle",),
                (
                    _k("oxford", "商务皮鞋", "oxford shoes", 399, 1299, "shoe", ("colour", "shoe-size")),
                    _k("loafer", "乐福鞋", "loafers", 299, 899, "shoe", ("colour", "shoe-size")),
                ),
                (("真皮", "Leather"), ("软底", "Soft-sole"), ("英伦", "British-style")),
                (("头层牛皮", "full-grain leather"), ("手工缝线", "hand-stitched")),
                per_kind=5,
            ),
        ),
    ),
    Top(
        "appliances",
        ("家用电器", "Home appliances"),
        (
            Leaf(
                "kitchen",
                ("厨房电器", "Kitchen appliances"),
                ("midea", "joyoung", "supor", "haier"),
                (
                    _k(
                        "ricecooker",
                        "电饭煲",
                        "rice cooker",
                        199,
                        899,
                        "appliance",
                        ("colour",),
                        (("3L", "3 L"), ("4L", "4 L")),
                    ),
                    _k("airfryer", "空气炸锅", "air fryer", 249, 699, "appliance", ("colour",), (("5L", "5 L"),)),
                    _k("kettle", "电水壶", "electric kettle", 79, 299, "kettle", ("colour",), (("1.7L", "1.7 L"),)),
                    _k("soymilk", "豆浆机", "soy milk maker", 299, 999, "kettle", ("colour",)),
                    _k(
                        "microwave", "微波炉", "microwave oven", 399, 1299, "appliance", ("colour",), (("20L", "20 L"),)
                    ),
                ),
                (("智能", "Smart"), ("家用", "Home"), ("大容量", "Large"), ("迷你", "Mini"), ("不粘", "Non-stick")),
                (
                    ("一键预约", "one-touch timer"),
                    ("食品级内胆", "food-grade inner pot"),
                    ("自动断电保护", "automatic power-off"),
                ),
                per_kind=5,
                delivery_days=3,
            ),
            Leaf(
                "home-appliances",
                ("生活电器", "Household appliances"),
                ("midea", "gree", "haier"),
                (
                    _k("vacuum", "吸尘器", "vacuum cleaner", 399, 2499, "vacuum", ("colour",)),
                    _k("fan", "电风扇", "electric fan", 99, 499, "fan", ("colour",)),
                    _k("humidifier", "加湿器", "humidifier", 129, 499, "appliance", ("colour",)),
                    _k("heater", "取暖器", "heater", 199, 799, "appliance", ("colour",)),
                ),
                (("静音", "Quiet"), ("节能", "Energy-saving"), ("智能", "Smart"), ("无线", "Cordless")),
                (("低噪运行", "low-noise"), ("一级能效", "top energy rating"), ("遥控操作", "remote control")),
                per_kind=5,
                delivery_days=3,
            ),
        ),
    ),
    Top(
        "food",
        ("食品饮料", "Food & drink"),
        (
            Leaf(
                "staples",
                ("粮油米面", "Rice, oil & noodles"),
                ("wuchang", "master-kong"),
                (
                    _k("rice", "大米", "rice", 39, 159, "bag", ("weight",)),
                    _k("noodles", "方便面", "instant noodles", 19, 69, "bag", ("weight",)),
                    _k("flour", "面粉", "flour", 25, 79, "bag", ("weight",)),
                ),
                (("东北", "Northeast"), ("有机", "Organic"), ("精选", "Selected"), ("家庭装", "Family")),
                (("当季新米", "this season's harvest"), ("真空包装", "vacuum packed"), ("无添加", "no additives")),
                per_kind=5,
            ),
            Leaf(
                "snacks",
                ("零食茶饮", "Snacks, tea & drinks"),
                ("bestore", "three-squirrels", "yili", "zhangyiyuan"),
                (
                    _k("nuts", "每日坚果", "daily nuts", 39, 139, "jar", ("weight",)),
                    _k("tea", "茉莉花茶", "jasmine tea", 49, 299, "jar", ("weight",)),
                    _k("milk", "纯牛奶", "whole milk", 49, 99, "carton", ("volume",)),
                    _k("biscuits", "饼干", "biscuits", 15, 59, "bag", ("weight",)),
                    _k("honey", "蜂蜜", "honey", 39, 129, "jar", ("weight",)),
                ),
                (("原味", "Original"), ("低糖", "Low-sugar"), ("高蛋白", "High-protein"), ("经典", "Classic")),
                (
                    ("独立小包装", "individually wrapped"),
                    ("产地直发", "shipped from the source"),
                    ("营养丰富", "nutritious"),
                ),
                per_kind=5,
            ),
        ),
    ),
    Top(
        "books",
        ("图书", "Books"),
        (
            Leaf(
                "literature",
                ("文学小说", "Fiction"),
                ("pwph", "citic"),
                (
                    _k("novel", "长篇小说", "novel", 29, 89, "book", ("binding",)),
                    _k("poetry", "诗集", "poetry", 25, 69, "book", ("binding",)),
                ),
                (
                    ("山海", "Mountains and Seas"),
                    ("故乡", "Hometown"),
                    ("长河", "The Long River"),
                    ("春夜", "Spring Night"),
                    ("远方", "Far Away"),
                    ("灯火", "Lamplight"),
                ),
                (("当代文学名作", "a modern classic"), ("附作者访谈", "with an interview with the author")),
                per_kind=10,
            ),
            Leaf(
                "knowledge",
                ("科普社科", "Science & society"),
                ("citic", "cp"),
                (
                    _k("science", "科普读物", "popular science", 39, 99, "book", ("binding",)),
                    _k("history", "历史读物", "history", 39, 129, "book", ("binding",)),
                    _k("dictionary", "词典", "dictionary", 49, 169, "book", ("binding",)),
                ),
                (
                    ("宇宙", "The Universe"),
                    ("城市", "Cities"),
                    ("丝绸之路", "The Silk Road"),
                    ("汉字", "Chinese Characters"),
                    ("海洋", "Oceans"),
                ),
                (("图文并茂", "richly illustrated"), ("通俗易懂", "easy to read")),
                per_kind=6,
            ),
        ),
    ),
    Top(
        "beauty",
        ("美妆个护", "Beauty & personal care"),
        (
            Leaf(
                "skincare",
                ("护肤", "Skin care"),
                ("pechoin", "chando", "herborist"),
                (
                    _k("cream", "面霜", "face cream", 69, 399, "bottle", ("volume",)),
                    _k("cleanser", "洗面奶", "facial cleanser", 39, 129, "tube", ("volume",)),
                    _k("sunscreen", "防晒霜", "sunscreen", 59, 229, "tube", ("volume",)),
                    _k("toner", "爽肤水", "toner", 59, 259, "bottle", ("volume",)),
                ),
                (("补水", "Hydrating"), ("温和", "Gentle"), ("草本", "Herbal"), ("修护", "Repairing")),
                (("敏感肌可用", "suitable for sensitive skin"), ("清爽不油腻", "light, not greasy")),
                per_kind=5,
            ),
            Leaf(
                "personal-care",
                ("个人护理", "Personal care"),
                ("baiyao", "herborist"),
                (
                    _k("toothpaste", "牙膏", "toothpaste", 15, 59, "tube", ("volume",)),
                    _k("shampoo", "洗发水", "shampoo", 39, 129, "bottle", ("volume",)),
                    _k("lipstick", "口红", "lipstick", 99, 299, "lipstick", ("colour",)),
                ),
                (("清新", "Fresh"), ("滋润", "Nourishing"), ("家庭装", "Family")),
                (("温和配方", "mild formula"), ("持久留香", "long-lasting scent")),
                per_kind=5,
            ),
        ),
    ),
    Top(
        "sports",
        ("运动户外", "Sports & outdoors"),
        (
            Leaf(
                "fitness",
                ("健身运动", "Fitness & ball games"),
                ("decathlon", "dhs", "yonex", "lining"),
                (
                    _k("yogamat", "瑜伽垫", "yoga mat", 59, 199, "mat", ("colour",)),
                    _k("racket", "羽毛球拍", "badminton racket", 99, 899, "racket", ("colour",)),
                    _k("pingpong", "乒乓球拍", "table tennis bat", 59, 499, "racket", ("colour",)),
                    _k("basketball", "篮球", "basketball", 79, 299, "ball", ("colour",)),
                    _k("dumbbell", "哑铃", "dumbbells", 69, 399, "dumbbell", ("colour",)),
                ),
                (("专业", "Pro"), ("入门", "Starter"), ("防滑", "Non-slip"), ("耐磨", "Hard-wearing")),
                (("适合初学者", "good for beginners"), ("手感扎实", "solid feel")),
                per_kind=5,
            ),
            Leaf(
                "outdoor",
                ("户外装备", "Outdoor gear"),
                ("decathlon",),
                (
                    _k("tent", "帐篷", "tent", 199, 1299, "tent", ("colour",)),
                    _k("backpack", "登山包", "hiking backpack", 149, 699, "backpack", ("colour",)),
                    _k("bottle", "保温杯", "vacuum flask", 59, 199, "flask", ("colour",)),
                ),
                (("轻量", "Lightweight"), ("防水", "Waterproof"), ("大容量", "Large")),
                (("防泼水面料", "water-repellent fabric"), ("快速搭建", "quick to set up")),
                per_kind=5,
            ),
        ),
    ),
    Top(
        "toys",
        ("玩具", "Toys"),
        (
            Leaf(
                "toys-all",
                ("益智玩具", "Educational toys"),
                ("rastar", "keeppley", "deli-toys"),
                (
                    _k("blocks", "积木", "building blocks", 59, 599, "blocks", ("colour",)),
                    _k("puzzle", "拼图", "jigsaw puzzle", 29, 129, "puzzle"),
                    _k("rccar", "遥控车", "remote-control car", 99, 499, "car", ("colour",)),
                    _k("plush", "毛绒玩具", "plush toy", 39, 199, "plush", ("colour",)),
                ),
                (("益智", "Educational"), ("儿童", "Kids'"), ("创意", "Creative"), ("大颗粒", "Big-piece")),
                (("3 岁以上", "for ages 3 and up"), ("环保材料", "eco-friendly materials")),
                per_kind=10,
            ),
        ),
    ),
    Top(
        "baby",
        ("母婴", "Baby & mother"),
        (
            Leaf(
                "baby-care",
                ("婴童用品", "Baby care"),
                ("pampers", "goodbaby", "pigeon"),
                (
                    _k("nappies", "纸尿裤", "nappies", 79, 199, "bag", ("diaper-size",)),
                    _k("feedingbottle", "奶瓶", "feeding bottle", 49, 199, "flask", ("volume",)),
                    _k("stroller", "婴儿推车", "baby stroller", 599, 2999, "stroller", ("colour",)),
                    _k("wipes", "湿巾", "baby wipes", 19, 69, "bag"),
                ),
                (("超薄", "Ultra-thin"), ("轻便", "Light"), ("柔软", "Soft"), ("防胀气", "Anti-colic")),
                (("柔软亲肤", "soft on the skin"), ("通过安全检测", "safety tested")),
                per_kind=7,
            ),
        ),
    ),
    Top(
        "stationery",
        ("文具办公", "Stationery & office"),
        (
            Leaf(
                "writing",
                ("书写工具", "Pens & paper"),
                ("mg", "deli", "hero"),
                (
                    _k("gelpen", "中性笔", "gel pens", 9, 39, "pen", ("colour",), (("12支装", "pack of 12"),)),
                    _k("fountainpen", "钢笔", "fountain pen", 29, 299, "pen", ("colour",)),
                    _k("notebook", "笔记本", "notebook", 9, 49, "notebook", ("colour",), (("A5", "A5"), ("B5", "B5"))),
                    _k("folder", "文件夹", "file folder", 9, 39, "notebook", ("colour",)),
                    _k("calculator", "计算器", "calculator", 29, 129, "calculator", ("colour",)),
                ),
                (("考试", "Exam"), ("商务", "Business"), ("学生", "Student"), ("顺滑", "Smooth")),
                (("书写流畅", "writes smoothly"), ("办公学习两用", "for office and school")),
                per_kind=6,
            ),
        ),
    ),
    Top(
        "pets",
        ("宠物用品", "Pet supplies"),
        (
            Leaf(
                "pet-food",
                ("宠物食品", "Pet food"),
                ("royal-canin", "nature-bridge"),
                (
                    _k("catfood", "猫粮", "cat food", 59, 399, "bag", ("weight",)),
                    _k("dogfood", "狗粮", "dog food", 59, 459, "bag", ("weight",)),
                    _k("treats", "宠物零食", "pet treats", 19, 89, "jar", ("weight",)),
                ),
                (("全价", "Complete"), ("幼猫", "Kitten"), ("成犬", "Adult dog"), ("低敏", "Hypoallergenic")),
                (("营养均衡", "balanced nutrition"), ("适口性好", "pets love the taste")),
                per_kind=6,
            ),
            Leaf(
                "pet-supplies",
                ("宠物用品", "Pet accessories"),
                ("petkit",),
                (
                    _k("litter", "猫砂", "cat litter", 29, 99, "bag", ("weight",)),
                    _k("petbed", "宠物窝", "pet bed", 59, 299, "petbed", ("colour",)),
                    _k("feeder", "自动喂食器", "automatic feeder", 199, 599, "appliance", ("colour",)),
                ),
                (("四季", "All-season"), ("智能", "Smart"), ("除臭", "Odour-control")),
                (("易清洁", "easy to clean"), ("安全无毒", "safe and non-toxic")),
                per_kind=5,
            ),
        ),
    ),
    Top(
        "home",
        ("家居家纺", "Home & textiles"),
        (
            Leaf(
                "bedding",
                ("床上用品", "Bedding"),
                ("fuanna", "mercury"),
                (
                    _k("beddingset", "四件套", "bedding set", 199, 899, "bedding", ("colour", "bed-size")),
                    _k("duvet", "蚕丝被", "silk duvet", 399, 1999, "bedding", ("bed-size",)),
                    _k("pillow", "枕头", "pillow", 59, 299, "pillow", ("colour",)),
                    _k("towel", "毛巾", "towel", 19, 79, "towel", ("colour",)),
                ),
                (("全棉", "Cotton"), ("水洗", "Washed"), ("简约", "Minimal"), ("轻奢", "Premium")),
                (("亲肤透气", "breathable and soft"), ("不易起球", "pill-resistant")),
                per_kind=6,
            ),
        ),
    ),
)

BOOK_AUTHORS: tuple[Pair, ...] = (
    ("林晓", "Lin Xiao"),
    ("陈思远", "Chen Siyuan"),
    ("王一舟", "Wang Yizhou"),
    ("李青", "Li Qing"),
    ("赵明", "Zhao Ming"),
    ("周子墨", "Zhou Zimo"),
)

# Configurator of the demo phones: (code, zh, en, [(code, zh, en, delta, default)])
PHONE_GROUPS: tuple[tuple[str, str, str, tuple[tuple[str, str, str, int, bool], ...]], ...] = (
    (
        "processor",
        "处理器",
        "Processor",
        (
            ("standard", "标准版处理器", "Standard processor", 0, True),
            ("pro", "Pro 处理器", "Pro processor", 800, False),
            ("ultra", "Ultra 处理器", "Ultra processor", 1600, False),
        ),
    ),
    (
        "memory",
        "运行内存",
        "Memory",
        (
            ("8gb", "8GB", "8 GB", 0, True),
            ("12gb", "12GB", "12 GB", 300, False),
            ("16gb", "16GB", "16 GB", 600, False),
        ),
    ),
    (
        "storage",
        "存储容量",
        "Storage",
        (
            ("128gb", "128GB", "128 GB", 0, True),
            ("256gb", "256GB", "256 GB", 500, False),
            ("512gb", "512GB", "512 GB", 1200, False),
            ("1tb", "1TB", "1 TB", 2200, False),
        ),
    ),
    (
        "camera",
        "相机",
        "Camera",
        (
            ("dual", "5000 万像素双摄", "50 MP dual camera", 0, True),
            ("triple", "潜望长焦三摄", "Triple camera with periscope zoom", 700, False),
        ),
    ),
    (
        "colour",
        "颜色",
        "Colour",
        (
            ("obsidian", "曜石黑", "Obsidian black", 0, True),
            ("glacier", "冰川白", "Glacier white", 0, False),
            ("mist", "雾霭蓝", "Mist blue", 0, False),
            ("pine", "松柏绿", "Pine green", 0, False),
        ),
    ),
    (
        "body",
        "机身材质",
        "Body",
        (
            ("glass", "玻璃背板", "Glass back", 0, True),
            ("leather", "素皮", "Vegan leather", 100, False),
            ("titanium", "钛金属", "Titanium", 900, False),
        ),
    ),
)

PHONE_SWATCHES = {"obsidian": "#1b1b1f", "glacier": "#eef1f4", "mist": "#7c9cc4", "pine": "#2f5d46"}

# (kind, option "group:code", target "group:code", zh, en)
PHONE_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "requires",
        "storage:1tb",
        "processor:pro",
        "1TB 存储需要 Pro 或 Ultra 处理器",
        "1 TB storage requires the Pro or Ultra processor",
    ),
    (
        "requires",
        "storage:1tb",
        "processor:ultra",
        "1TB 存储需要 Pro 或 Ultra 处理器",
        "1 TB storage requires the Pro or Ultra processor",
    ),
    (
        "requires",
        "memory:16gb",
        "processor:ultra",
        "16GB 内存仅适用于 Ultra 处理器",
        "16 GB memory requires the Ultra processor",
    ),
    (
        "requires",
        "camera:triple",
        "processor:pro",
        "潜望长焦三摄需要 Pro 或 Ultra 处理器",
        "The triple camera requires the Pro or Ultra processor",
    ),
    (
        "requires",
        "camera:triple",
        "processor:ultra",
        "潜望长焦三摄需要 Pro 或 Ultra 处理器",
        "The triple camera requires the Pro or Ultra processor",
    ),
    (
        "excludes",
        "body:titanium",
        "colour:pine",
        "钛金属机身没有松柏绿配色",
        "The titanium body does not come in pine green",
    ),
    (
        "excludes",
        "body:leather",
        "colour:glacier",
        "素皮机身没有冰川白配色",
        "The vegan leather body does not come in glacier white",
    ),
)
