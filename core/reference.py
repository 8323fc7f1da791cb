"""Reference data every fresh database gets (loaded by core's data migration).

Regions of Morocco (the 2015 division into 12), the nine provinces and prefectures of
Casablanca-Settat with the main prefecture or province of the craft centres elsewhere, and
the sectors and crafts of Moroccan traditional industry. Names are French, Arabic, English.
"""

HOME_REGION = "casablanca-settat"

REGIONS = [
    (
        "tanger-tetouan-al-hoceima",
        "Tanger-Tétouan-Al Hoceïma",
        "طنجة تطوان الحسيمة",
        "Tangier-Tetouan-Al Hoceima",
    ),
    ("oriental", "L'Oriental", "الشرق", "Oriental"),
    ("fes-meknes", "Fès-Meknès", "فاس مكناس", "Fez-Meknes"),
    ("rabat-sale-kenitra", "Rabat-Salé-Kénitra", "الرباط سلا القنيطرة", "Rabat-Sale-Kenitra"),
    ("beni-mellal-khenifra", "Béni Mellal-Khénifra", "بني ملال خنيفرة", "Beni Mellal-Khenifra"),
    ("casablanca-settat", "Casablanca-Settat", "الدار البيضاء سطات", "Casablanca-Settat"),
    ("marrakech-safi", "Marrakech-Safi", "مراكش آسفي", "Marrakesh-Safi"),
    ("draa-tafilalet", "Drâa-Tafilalet", "درعة تافيلالت", "Draa-Tafilalet"),
    ("souss-massa", "Souss-Massa", "سوس ماسة", "Souss-Massa"),
    ("guelmim-oued-noun", "Guelmim-Oued Noun", "كلميم واد نون", "Guelmim-Oued Noun"),
    (
        "laayoune-sakia-el-hamra",
        "Laâyoune-Sakia El Hamra",
        "العيون الساقية الحمراء",
        "Laayoune-Sakia El Hamra",
    ),
    ("dakhla-oued-ed-dahab", "Dakhla-Oued Ed-Dahab", "الداخلة وادي الذهب", "Dakhla-Oued Ed-Dahab"),
]

# (region, code, kind, French, Arabic, English)
PROVINCES = [
    # The nine of Casablanca-Settat.
    (
        "casablanca-settat",
        "casablanca",
        "prefecture",
        "Préfecture de Casablanca",
        "عمالة الدار البيضاء",
        "Casablanca Prefecture",
    ),
    (
        "casablanca-settat",
        "mohammedia",
        "prefecture",
        "Préfecture de Mohammedia",
        "عمالة المحمدية",
        "Mohammedia Prefecture",
    ),
    (
        "casablanca-settat",
        "el-jadida",
        "province",
        "Province d'El Jadida",
        "إقليم الجديدة",
        "El Jadida Province",
    ),
    (
        "casablanca-settat",
        "nouaceur",
        "province",
        "Province de Nouaceur",
        "إقليم النواصر",
        "Nouaceur Province",
    ),
    (
        "casablanca-settat",
        "mediouna",
        "province",
        "Province de Médiouna",
        "إقليم مديونة",
        "Mediouna Province",
    ),
    (
        "casablanca-settat",
        "benslimane",
        "province",
        "Province de Benslimane",
        "إقليم بنسليمان",
        "Benslimane Province",
    ),
    (
        "casablanca-settat",
        "berrechid",
        "province",
        "Province de Berrechid",
        "إقليم برشيد",
        "Berrechid Province",
    ),
    ("casablanca-settat", "settat", "province", "Province de Settat", "إقليم سطات", "Settat Province"),
    (
        "casablanca-settat",
        "sidi-bennour",
        "province",
        "Province de Sidi Bennour",
        "إقليم سيدي بنور",
        "Sidi Bennour Province",
    ),
    # Craft centres of the other regions.
    (
        "tanger-tetouan-al-hoceima",
        "tanger-assilah",
        "prefecture",
        "Préfecture de Tanger-Assilah",
        "عمالة طنجة أصيلة",
        "Tangier-Assilah Prefecture",
    ),
    (
        "tanger-tetouan-al-hoceima",
        "tetouan",
        "province",
        "Province de Tétouan",
        "إقليم تطوان",
        "Tetouan Province",
    ),
    (
        "oriental",
        "oujda-angad",
        "prefecture",
        "Préfecture d'Oujda-Angad",
        "عمالة وجدة أنكاد",
        "Oujda-Angad Prefecture",
    ),
    ("fes-meknes", "fes", "prefecture", "Préfecture de Fès", "عمالة فاس", "Fez Prefecture"),
    ("fes-meknes", "meknes", "prefecture", "Préfecture de Meknès", "عمالة مكناس", "Meknes Prefecture"),
    ("rabat-sale-kenitra", "rabat", "prefecture", "Préfecture de Rabat", "عمالة الرباط", "Rabat Prefecture"),
    ("rabat-sale-kenitra", "sale", "prefecture", "Préfecture de Salé", "عمالة سلا", "Sale Prefecture"),
    (
        "beni-mellal-khenifra",
        "beni-mellal",
        "province",
        "Province de Béni Mellal",
        "إقليم بني ملال",
        "Beni Mellal Province",
    ),
    (
        "marrakech-safi",
        "marrakech",
        "prefecture",
        "Préfecture de Marrakech",
        "عمالة مراكش",
        "Marrakesh Prefecture",
    ),
    ("marrakech-safi", "safi", "province", "Province de Safi", "إقليم آسفي", "Safi Province"),
    (
        "marrakech-safi",
        "essaouira",
        "province",
        "Province d'Essaouira",
        "إقليم الصويرة",
        "Essaouira Province",
    ),
    (
        "draa-tafilalet",
        "errachidia",
        "province",
        "Province d'Errachidia",
        "إقليم الرشيدية",
        "Errachidia Province",
    ),
    (
        "draa-tafilalet",
        "ouarzazate",
        "province",
        "Province de Ouarzazate",
        "إقليم ورزازات",
        "Ouarzazate Province",
    ),
    (
        "souss-massa",
        "agadir-ida-outanane",
        "prefecture",
        "Préfecture d'Agadir Ida-Outanane",
        "عمالة أكادير إداوتنان",
        "Agadir Ida-Outanane Prefecture",
    ),
    ("souss-massa", "tiznit", "province", "Province de Tiznit", "إقليم تيزنيت", "Tiznit Province"),
    ("guelmim-oued-noun", "guelmim", "province", "Province de Guelmim", "إقليم كلميم", "Guelmim Province"),
    (
        "laayoune-sakia-el-hamra",
        "laayoune",
        "province",
        "Province de Laâyoune",
        "إقليم العيون",
        "Laayoune Province",
    ),
    (
        "dakhla-oued-ed-dahab",
        "oued-ed-dahab",
        "province",
        "Province d'Oued Ed-Dahab",
        "إقليم وادي الذهب",
        "Oued Ed-Dahab Province",
    ),
]

# Sectors, each with its crafts: (code, French, Arabic, English, [crafts…])
CRAFTS = [
    (
        "pottery-ceramics",
        "Poterie et céramique",
        "الفخار والخزف",
        "Pottery and ceramics",
        [
            ("pottery", "Poterie", "الفخار", "Pottery"),
            ("ceramics", "Céramique émaillée", "الخزف المطلي", "Glazed ceramics"),
            ("zellige", "Zellige", "الزليج", "Zellige"),
        ],
    ),
    (
        "carpets-weaving",
        "Tapis et tissage",
        "الزرابي والنسيج",
        "Carpets and weaving",
        [
            ("carpets", "Tapis", "الزرابي", "Carpets"),
            ("weaving", "Tissage traditionnel", "النسيج التقليدي", "Traditional weaving"),
        ],
    ),
    (
        "clothing-embroidery",
        "Habillement traditionnel et broderie",
        "اللباس التقليدي والطرز",
        "Traditional clothing and embroidery",
        [
            (
                "traditional-clothing",
                "Habillement traditionnel (caftan, djellaba)",
                "اللباس التقليدي (القفطان، الجلابة)",
                "Traditional clothing (caftan, djellaba)",
            ),
            ("embroidery", "Broderie", "الطرز", "Embroidery"),
            (
                "passementerie",
                "Passementerie (sfifa, aakad)",
                "السفيفة والعقاد",
                "Passementerie (sfifa, aakad)",
            ),
        ],
    ),
    (
        "leather",
        "Cuir",
        "الجلد",
        "Leather",
        [
            ("leather-goods", "Maroquinerie", "المصنوعات الجلدية", "Leather goods"),
            ("babouches", "Babouches", "البلغة", "Babouches"),
        ],
    ),
    (
        "wood",
        "Bois et marqueterie",
        "الخشب والترصيع",
        "Woodwork and marquetry",
        [
            ("woodwork", "Menuiserie traditionnelle", "النجارة التقليدية", "Traditional woodwork"),
            ("marquetry", "Marqueterie", "الترصيع", "Marquetry"),
            ("thuya", "Bois de thuya", "خشب العرعار", "Thuya wood"),
        ],
    ),
    (
        "copper-metal",
        "Cuivre et métal",
        "النحاس والمعادن",
        "Copper and metal",
        [
            ("copperware", "Dinanderie (cuivre, laiton)", "النحاسيات", "Copper and brassware"),
            ("wrought-iron", "Fer forgé", "الحدادة الفنية", "Wrought iron"),
        ],
    ),
    (
        "jewellery",
        "Bijouterie",
        "الحلي والمجوهرات",
        "Jewellery",
        [
            ("silver-jewellery", "Bijouterie en argent", "الحلي الفضية", "Silver jewellery"),
            ("gold-jewellery", "Bijouterie en or", "الحلي الذهبية", "Gold jewellery"),
        ],
    ),
    (
        "basketry-fibres",
        "Vannerie et fibres végétales",
        "السلالة والألياف النباتية",
        "Basketry and plant fibres",
        [
            ("basketry", "Vannerie", "السلالة", "Basketry"),
            ("doum-raffia", "Doum et raphia", "الدوم والرافية", "Doum palm and raffia"),
        ],
    ),
    (
        "plaster-stone",
        "Plâtre et pierre sculptés",
        "الجبس والحجر المنقوش",
        "Plaster and stone carving",
        [
            ("plaster-carving", "Plâtre sculpté (gebs)", "الجبس المنقوش", "Carved plaster (gebs)"),
            ("stone-carving", "Taille de pierre", "نحت الحجر", "Stone carving"),
        ],
    ),
    (
        "other-crafts",
        "Autres métiers",
        "حرف أخرى",
        "Other crafts",
        [
            ("musical-instruments", "Instruments de musique", "الآلات الموسيقية", "Musical instruments"),
            ("lanterns", "Luminaires et lanternes", "الفوانيس والإنارة", "Lanterns and lighting"),
        ],
    ),
]

ROLE_GROUPS = ["staff", "reviewer", "scanner"]


def load(apps):
    """Create or refresh the reference rows (used by the data migration)."""
    Region = apps.get_model("core", "Region")
    Province = apps.get_model("core", "Province")
    CraftCategory = apps.get_model("core", "CraftCategory")
    Group = apps.get_model("auth", "Group")

    regions = {}
    for code, fr, ar, en in REGIONS:
        regions[code], _ = Region.objects.update_or_create(
            code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en}
        )
    for region, code, kind, fr, ar, en in PROVINCES:
        Province.objects.update_or_create(
            code=code,
            defaults={"region": regions[region], "kind": kind, "name_fr": fr, "name_ar": ar, "name_en": en},
        )
    for position, (code, fr, ar, en, crafts) in enumerate(CRAFTS):
        sector, _ = CraftCategory.objects.update_or_create(
            code=code,
            defaults={"parent": None, "position": position, "name_fr": fr, "name_ar": ar, "name_en": en},
        )
        for sub_position, (c_code, c_fr, c_ar, c_en) in enumerate(crafts):
            CraftCategory.objects.update_or_create(
                code=c_code,
                defaults={
                    "parent": sector,
                    "position": position * 100 + sub_position,
                    "name_fr": c_fr,
                    "name_ar": c_ar,
                    "name_en": c_en,
                },
            )
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


def unload(apps):
    apps.get_model("core", "Province").objects.filter(code__in=[p[1] for p in PROVINCES]).delete()
    apps.get_model("core", "Region").objects.filter(code__in=[r[0] for r in REGIONS]).delete()
    CraftCategory = apps.get_model("core", "CraftCategory")
    CraftCategory.objects.filter(parent__isnull=False).delete()
    CraftCategory.objects.filter(code__in=[c[0] for c in CRAFTS]).delete()
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()
