"""The registry's demo data (``manage.py seed_demo``; see core.demo for the rules).

What it builds on the fairs of ``fairs.demo``:

* about 40 cooperatives, associations and companies, some of them women's cooperatives;
* more than 1,610 distinct artisans who took part in the 23 local fairs of 2021 to 2024
  (confirmed applications at those closed fairs), with Moroccan names in Latin and Arabic
  script, CINs, phone numbers, registry numbers, crafts, provinces and communes of
  Casablanca-Settat, and women's and rural shares like those of the region's fairs;
* a few rejected and declined applications at those fairs, the artisans the delegation sent
  to national and international exhibitions, and applications in every status for the calls
  open now, with the demo reviewer's scores;
* one artisan with an account (login: her CIN), printed with the other demo logins.

How it stays fast and idempotent. The whole registry is first *planned* in memory — a pure
function of the fairs' constants in ``fairs.demo`` and ``ctx.rng`` — so every run plans the
same artisans and applications. Each part then reads which of its natural keys already exist
(artisans by CIN, cooperatives by registration number, applications by artisan and fair,
reviews by application and reviewer; a few queries in all) and writes only what is missing,
with ``bulk_create``: a second run reads and writes nothing else, and a partly seeded
database is completed without touching the rows it has. Only dates relative to today (the
open calls) depend on the day, and they are written once, when the row is created.
"""

import datetime as dt
import random
import unicodedata
from bisect import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone

from core.demo import DEMO_PASSWORD, DemoContext, DemoLogin, at
from core.models import CraftCategory, Province, User
from core.reference import CRAFTS as REFERENCE_CRAFTS
from core.services import audit_log
from fairs.demo import (
    ALL_CRAFTS,
    LOCAL_FAIRS,
    PAST_PARTICIPATIONS,
    RUNNING_FAIR,
    THEMES,
    UPCOMING_FAIRS,
    UPCOMING_PARTICIPATION,
    VENUES,
)
from fairs.models import Fair
from registrations.models import Application, Artisan, BoothKind, Cooperative, Review
from registrations.services import HOLDS_A_PLACE, artisan_create, artisan_sign_up

S = Application.Status

# --- Names ------------------------------------------------------------------------------

FEMALE_NAMES = [
    ("Fatima", "فاطمة"), ("Khadija", "خديجة"), ("Aicha", "عائشة"), ("Fatima Zahra", "فاطمة الزهراء"),
    ("Zineb", "زينب"), ("Naima", "نعيمة"), ("Malika", "مليكة"), ("Rachida", "رشيدة"), ("Saida", "سعيدة"),
    ("Latifa", "لطيفة"), ("Hafida", "حفيظة"), ("Nadia", "نادية"), ("Samira", "سميرة"), ("Karima", "كريمة"),
    ("Hayat", "حياة"), ("Amina", "أمينة"), ("Meryem", "مريم"), ("Houda", "هدى"), ("Siham", "سهام"),
    ("Loubna", "لبنى"), ("Asmae", "أسماء"), ("Sanaa", "سناء"), ("Hanane", "حنان"), ("Ibtissam", "ابتسام"),
    ("Ilham", "إلهام"), ("Souad", "سعاد"), ("Zahra", "الزهرة"), ("Habiba", "حبيبة"), ("Mina", "مينة"),
    ("Rkia", "رقية"), ("Halima", "حليمة"), ("Fouzia", "فوزية"), ("Jamila", "جميلة"), ("Touria", "ثريا"),
    ("Najat", "نجاة"), ("Bouchra", "بشرى"), ("Khaddouj", "خدوج"), ("Mbarka", "مباركة"), ("Itto", "إطو"),
    ("Hakima", "حكيمة"), ("Aziza", "عزيزة"), ("Nezha", "نزهة"), ("Wafae", "وفاء"), ("Kaoutar", "كوثر"),
    ("Salma", "سلمى"), ("Imane", "إيمان"), ("Soukaina", "سكينة"), ("Hajar", "هاجر"), ("Chaimae", "شيماء"),
    ("Oumaima", "أميمة"), ("Ghizlane", "غزلان"), ("Najia", "ناجية"), ("Saadia", "سعدية"), ("Zoubida", "زبيدة"),
    ("Fadma", "فاضمة"), ("Yamna", "يامنة"), ("Hnia", "هنية"), ("Zohra", "زهرة"), ("Rabia", "ربيعة"),
    ("Hasna", "حسناء"), ("Mounia", "منية"), ("Laila", "ليلى"), ("Dounia", "دنيا"), ("Sara", "سارة"),
    ("Yasmine", "ياسمين"), ("Nora", "نورة"), ("Rajae", "رجاء"), ("Naoual", "نوال"), ("Samia", "سامية"),
    ("Widad", "وداد"), ("Jalila", "جليلة"), ("Hiba", "هبة"), ("Manal", "منال"), ("Majda", "ماجدة"),
    ("Mouna", "منى"), ("Zakia", "زكية"), ("Lamia", "لمياء"), ("Najwa", "نجوى"), ("Fatiha", "فتيحة"),
    ("Mahjouba", "محجوبة"), ("Kenza", "كنزة"), ("Sabah", "صباح"), ("Nisrine", "نسرين"), ("Hind", "هند"),
    ("Ghita", "غيثة"), ("Safae", "صفاء"), ("Zhor", "زهور"),
]  # fmt: skip

MALE_NAMES = [
    ("Mohammed", "محمد"), ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Abdellah", "عبد الله"),
    ("Mustapha", "مصطفى"), ("Hassan", "حسن"), ("Houcine", "حسين"), ("Brahim", "إبراهيم"), ("Omar", "عمر"),
    ("Youssef", "يوسف"), ("Abdelaziz", "عبد العزيز"), ("Abdelkader", "عبد القادر"),
    ("Abderrahim", "عبد الرحيم"), ("Abderrahmane", "عبد الرحمن"), ("Abdelhak", "عبد الحق"),
    ("Abdeslam", "عبد السلام"), ("Abdelmajid", "عبد المجيد"), ("Abdelghani", "عبد الغني"),
    ("Abdelilah", "عبد الإله"), ("Said", "سعيد"), ("Rachid", "رشيد"), ("Khalid", "خالد"), ("Driss", "إدريس"),
    ("Larbi", "العربي"), ("Mbarek", "امبارك"), ("Lahcen", "لحسن"), ("Lhoussaine", "الحسين"), ("Hamid", "حميد"),
    ("Jamal", "جمال"), ("Karim", "كريم"), ("Aziz", "عزيز"), ("Noureddine", "نور الدين"),
    ("Azzeddine", "عز الدين"), ("Salaheddine", "صلاح الدين"), ("Nabil", "نبيل"), ("Adil", "عادل"),
    ("Hicham", "هشام"), ("Tarik", "طارق"), ("Mehdi", "المهدي"), ("Hamza", "حمزة"), ("Amine", "أمين"),
    ("Anas", "أنس"), ("Ayoub", "أيوب"), ("Ismail", "إسماعيل"), ("Yassine", "ياسين"), ("Zakaria", "زكرياء"),
    ("Othmane", "عثمان"), ("Bilal", "بلال"), ("Soufiane", "سفيان"), ("Redouane", "رضوان"), ("Mourad", "مراد"),
    ("Abdelhadi", "عبد الهادي"), ("Abdelfattah", "عبد الفتاح"), ("Miloud", "الميلود"),
    ("Bouchaib", "بوشعيب"), ("Bouazza", "بوعزة"), ("Maati", "المعطي"), ("Jilali", "الجيلالي"),
    ("Mekki", "المكي"), ("Tahar", "الطاهر"), ("Allal", "علال"), ("Kaddour", "قدور"),
    ("Abdelouahed", "عبد الواحد"), ("Abdeljalil", "عبد الجليل"), ("Abdelkrim", "عبد الكريم"),
    ("Mohcine", "محسن"), ("Fouad", "فؤاد"), ("Younes", "يونس"), ("Ali", "علي"), ("Saad", "سعد"),
    ("Jaouad", "جواد"), ("Abdelali", "عبد العالي"), ("Khalil", "خليل"), ("Abdessamad", "عبد الصمد"),
    ("Chouaib", "شعيب"), ("Taoufik", "توفيق"), ("Zouhair", "زهير"), ("Rida", "رضا"), ("Ilyas", "إلياس"),
    ("Marouane", "مروان"), ("Ayman", "أيمن"), ("Abdelmoula", "عبد المولى"), ("Bouchta", "بوشتى"),
    ("Abdelkebir", "عبد الكبير"),
]  # fmt: skip

FAMILY_NAMES = [
    ("Bennani", "بناني"), ("El Amrani", "العمراني"), ("Ait Taleb", "آيت الطالب"), ("Alaoui", "العلوي"),
    ("El Idrissi", "الإدريسي"), ("Tazi", "التازي"), ("Benjelloun", "بنجلون"), ("Berrada", "برادة"),
    ("Chraibi", "الشرايبي"), ("Lahlou", "لحلو"), ("Bennis", "بنيس"), ("Kettani", "الكتاني"),
    ("Benkirane", "بنكيران"), ("El Hachimi", "الهاشمي"), ("Benali", "بنعلي"), ("Ait Lahcen", "آيت لحسن"),
    ("Ait Ali", "آيت علي"), ("El Khattabi", "الخطابي"), ("Bouzidi", "البوزيدي"), ("Ziani", "الزياني"),
    ("Rahmouni", "الرحموني"), ("El Mansouri", "المنصوري"), ("Naciri", "الناصري"), ("Chaoui", "الشاوي"),
    ("Doukkali", "الدكالي"), ("Zemmouri", "الزموري"), ("El Bouazzaoui", "البوعزاوي"),
    ("Zahraoui", "الزهراوي"), ("Mzabi", "المزابي"), ("El Mokhtari", "المختاري"), ("Rami", "الرامي"),
    ("El Ghazouani", "الغزواني"), ("Saidi", "السعيدي"), ("Moussaoui", "الموساوي"), ("El Haddad", "الحداد"),
    ("Najjar", "النجار"), ("Fakhouri", "الفاخوري"), ("Debbagh", "الدباغ"), ("Sebbagh", "الصباغ"),
    ("Kharraz", "الخراز"), ("Nejjari", "النجاري"), ("El Attar", "العطار"), ("Harraq", "الحراق"),
    ("Benmoussa", "بنموسى"), ("Benabdellah", "بنعبد الله"), ("Benchekroun", "بنشقرون"),
    ("Benslimane", "بنسليمان"), ("Bensaid", "بنسعيد"), ("Belhaj", "بلحاج"), ("Belkadi", "بلقاضي"),
    ("Boukhari", "البخاري"), ("El Ouardi", "الوردي"), ("Lamghari", "المغاري"), ("El Baz", "الباز"),
    ("Sabri", "صبري"), ("Jabri", "الجابري"), ("El Omari", "العمري"), ("Fikri", "فكري"), ("Hajji", "الحجي"),
    ("Hilali", "الهلالي"), ("Filali", "الفيلالي"), ("Soussi", "السوسي"), ("Rifi", "الريفي"),
    ("Marrakchi", "المراكشي"), ("Slaoui", "السلاوي"), ("Meknassi", "المكناسي"), ("Tahiri", "الطاهري"),
    ("Kabbaj", "القباج"), ("Guessous", "كسوس"), ("Lazrak", "الأزرق"), ("El Kadiri", "القادري"),
    ("Hassani", "الحسني"), ("Bakkali", "البقالي"), ("Azzouzi", "العزوزي"), ("Bouhlal", "بوهلال"),
    ("Chafik", "شفيق"), ("Daoudi", "الداودي"), ("Ennaji", "الناجي"), ("Fadili", "الفاضلي"),
    ("Ghanem", "غانم"), ("Habibi", "الحبيبي"), ("Jaafari", "الجعفري"), ("Karimi", "الكريمي"),
    ("Laaroussi", "العروسي"), ("Maaroufi", "المعروفي"), ("Nouri", "النوري"), ("Ouali", "الوالي"),
    ("Rachidi", "الرشيدي"), ("Salhi", "الصالحي"), ("Tijani", "التيجاني"), ("Ouahbi", "وهبي"),
    ("Yacoubi", "اليعقوبي"), ("Zerouali", "الزروالي"), ("Ait Brahim", "آيت إبراهيم"),
    ("Ait Benhaddou", "آيت بنحدو"), ("Ait Hammou", "آيت حمو"), ("Amzil", "أمزيل"), ("Aouad", "عواد"),
    ("Baddou", "بادو"), ("Belghiti", "بلغيتي"), ("Bensouda", "بنسودة"), ("Bouabid", "بوعبيد"),
    ("Cherkaoui", "الشرقاوي"), ("Dahbi", "الذهبي"), ("El Ayadi", "العيادي"), ("El Jadidi", "الجديدي"),
    ("El Maataoui", "المعطاوي"), ("El Ouadghiri", "الودغيري"), ("Esseddiki", "الصديقي"),
    ("Fassi Fihri", "الفاسي الفهري"), ("Gharbi", "الغربي"), ("Hamdaoui", "الحمداوي"), ("Iraqi", "العراقي"),
    ("Jamai", "الجامعي"), ("Kaddouri", "القدوري"), ("Lyoussi", "اليوسي"), ("Mernissi", "المرنيسي"),
    ("Mouline", "مولين"), ("Najmi", "النجمي"), ("Ouazzani", "الوزاني"), ("Raji", "الراجي"),
    ("Sefrioui", "الصفريوي"), ("Tounsi", "التونسي"), ("Zouhri", "الزهري"), ("El Fatmi", "الفاطمي"),
    ("Bouzoubaa", "بوزوبع"), ("Chentouf", "شنتوف"), ("Dkhissi", "الدخيسي"), ("El Khayat", "الخياط"),
    ("Bouhali", "البوهالي"), ("El Aouni", "العوني"), ("Ezzine", "الزين"), ("Mahboub", "محبوب"),
    ("Sbai", "السباعي"), ("Taibi", "الطيبي"), ("Yousfi", "اليوسفي"), ("Zniber", "زنيبر"),
    ("El Moutawakil", "المتوكل"), ("Benbrahim", "بنبراهيم"), ("Ait El Caid", "آيت القائد"),
    ("Kassimi", "القاسمي"), ("Messaoudi", "المسعودي"), ("Ouchen", "أوشن"), ("Rochdi", "الرشدي"),
    ("Skalli", "الصقلي"), ("Touzani", "التوزاني"), ("Zaidi", "الزايدي"), ("Hamdi", "حمدي"),
    ("Chaibi", "الشعيبي"), ("El Mahi", "الماحي"), ("Hakimi", "الحكيمي"), ("Khalfi", "الخلفي"),
    ("Ouled Hammou", "ولد حمو"), ("El Harti", "الحارثي"), ("Bouchentouf", "بوشنتوف"),
]  # fmt: skip

# --- Places -----------------------------------------------------------------------------

# The nine provinces and prefectures of Casablanca-Settat: (weight among urban artisans,
# weight among rural artisans, CIN letters of the offices that serve them, urban communes,
# rural communes). The prefecture of Casablanca has no rural commune.
PLACES = {
    "casablanca": (
        40, 0, ("BE", "BH", "BJ", "BK", "BL", "B"),
        ["Anfa", "Maârif", "Sidi Belyout", "Hay Hassani", "Aïn Chock", "Sidi Bernoussi", "Ben M'Sick",
         "Sidi Moumen", "Al Fida", "Mers Sultan", "Aïn Sebaâ", "Hay Mohammadi", "Moulay Rachid",
         "Sidi Othmane", "Roches Noires"],
        [],
    ),
    "mohammedia": (
        8, 3, ("T", "TA"), ["Mohammedia", "Aïn Harrouda", "Beni Yakhlef"],
        ["Sidi Moussa Ben Ali", "Sidi Moussa El Majdoub", "Chellalat"],
    ),
    "el-jadida": (
        13, 22, ("M", "MC"), ["El Jadida", "Azemmour", "Bir Jdid", "Moulay Abdallah"],
        ["Sidi Ismail", "Ouled Frej", "Ouled Hcine", "Oulad Ghanem", "Sidi Ali Ben Hamdouche", "Haouzia",
         "Chtouka"],
    ),
    "sidi-bennour": (
        5, 16, ("M", "MC"), ["Sidi Bennour", "Zemamra", "Oualidia"],
        ["Khmis Ksiba", "Oulad Amrane", "Laaounate", "Bni Tsiriss", "Tamda", "Oulad Boussaken"],
    ),
    "settat": (
        11, 24, ("W", "WA"), ["Settat", "Ben Ahmed", "El Borouj", "Loulad", "Oulad Said", "Ras El Ain"],
        ["Oulad Merrah", "Mzamza Janoubia", "Sidi El Aïdi", "Gisser", "Mniaa", "Ouled Fares",
         "Machraa Ben Abbou"],
    ),
    "berrechid": (
        9, 12, ("W", "WA"), ["Berrechid", "Had Soualem", "Deroua", "El Gara", "Sidi Rahal Chatai"],
        ["Sidi El Mekki", "Oulad Ziane", "Lahsasna", "Riah", "Jaqma", "Ben Maachou"],
    ),
    "benslimane": (
        4, 9, ("T", "TA"), ["Benslimane", "Bouznika", "El Mansouria"],
        ["Ahlaf", "Fdalate", "Ziaida", "Moualine El Oued", "Aïn Tizgha"],
    ),
    "nouaceur": (6, 5, ("BK", "BJ"), ["Dar Bouazza", "Bouskoura", "Nouaceur"], ["Oulad Salah", "Ouled Azzouz"]),
    "mediouna": (
        4, 4, ("BH", "BL"), ["Médiouna", "Tit Mellil", "Lahraouiyine"],
        ["Sidi Hajjaj Oued Hassar", "Majjatia Oulad Taleb"],
    ),
}  # fmt: skip
# Artisans who moved to the region keep the CIN of the office that issued it.
OTHER_CIN_OFFICES = ("J", "JC", "A", "AB", "G")

# --- Crafts -----------------------------------------------------------------------------

# craft: (weight among women, weight among men, how much more often rural artisans practise it)
CRAFT_WEIGHTS = {
    "pottery": (3, 9, 1.6), "ceramics": (2, 5, 0.7), "zellige": (0.2, 4, 0.6),
    "carpets": (15, 0.5, 1.8), "weaving": (8, 3, 1.6),
    "traditional-clothing": (14, 9, 0.7), "embroidery": (17, 1, 1.0), "passementerie": (7, 3, 0.8),
    "leather-goods": (2, 7, 0.6), "babouches": (1, 6, 0.6),
    "woodwork": (0.05, 8, 0.8), "marquetry": (0.1, 3, 0.6), "thuya": (0.05, 2, 0.5),
    "copperware": (0.1, 6, 0.6), "wrought-iron": (0, 5, 0.8),
    "silver-jewellery": (1, 4, 0.7), "gold-jewellery": (0.5, 3, 0.5),
    "basketry": (4, 3, 2.0), "doum-raffia": (6, 2, 2.2),
    "plaster-carving": (0, 4, 0.6), "stone-carving": (0, 2, 1.2),
    "musical-instruments": (0.1, 2, 0.7), "lanterns": (0.3, 4, 0.5),
}  # fmt: skip

# What an artisan of each craft brings to a fair (French, as artisans write it on the form),
# and the craft as a bio names it.
PRODUCTS = {
    "pottery": ("la poterie", ["tajines de cuisson en terre", "jarres à eau (khabia)",
                "plats à couscous (gsaa)", "braseros (kanoun)", "cruches et gargoulettes", "pots de fleurs"]),
    "ceramics": ("la céramique", ["assiettes émaillées", "bols et tasses", "plats de service décorés",
                 "vases", "services à thé en céramique"]),
    "zellige": ("le zellige", ["tables en zellige", "fontaines murales", "panneaux décoratifs", "vasques",
                "carreaux taillés à la main"]),
    "carpets": ("le tapis", ["tapis de la Chaouia", "tapis des Doukkala", "tapis en laine naturelle",
                "kilims", "tapis de prière", "coussins tissés"]),
    "weaving": ("le tissage", ["couvertures en laine (handira)", "hanbels", "écharpes tissées", "foutas",
                "tissus pour djellabas"]),
    "traditional-clothing": ("la couture traditionnelle", ["caftans", "takchitas", "djellabas",
                             "gandouras", "jabadors pour enfants"]),
    "embroidery": ("la broderie", ["nappes brodées", "draps brodés (terz)", "coussins brodés",
                   "serviettes brodées", "broderie de Fès sur commande"]),
    "passementerie": ("la passementerie", ["sfifa et aakad pour caftans", "boutons tressés",
                      "ceintures tissées", "galons et cordelières"]),
    "leather-goods": ("le cuir", ["sacs en cuir", "portefeuilles", "ceintures", "poufs en cuir",
                      "cartables", "reliures"]),
    "babouches": ("la babouche", ["babouches pour hommes", "babouches brodées pour femmes", "cherbils",
                  "babouches pour enfants", "mules en cuir"]),
    "woodwork": ("le bois", ["portes sculptées", "coffres", "tables basses", "étagères", "moucharabiehs",
                 "cadres de miroir"]),
    "marquetry": ("la marqueterie", ["boîtes marquetées", "échiquiers", "plateaux incrustés",
                  "coffrets à bijoux"]),
    "thuya": ("le thuya", ["boîtes en thuya", "coffrets en loupe de thuya", "plateaux", "objets de bureau"]),
    "copperware": ("le cuivre", ["plateaux en cuivre ciselé", "théières", "bouilloires",
                   "lustres en laiton", "aiguières (tass et bercal)"]),
    "wrought-iron": ("le fer forgé", ["grilles de fenêtre", "lampadaires", "tables et chaises en fer forgé",
                     "porte-bougies", "rampes d'escalier"]),
    "silver-jewellery": ("l'argent", ["bracelets en argent", "fibules (tizerzai)", "colliers berbères",
                         "boucles d'oreilles", "bagues"]),
    "gold-jewellery": ("l'or", ["parures de mariage", "ceintures en or (mdama)", "bracelets", "colliers",
                       "diadèmes (taj)"]),
    "basketry": ("la vannerie", ["paniers en roseau", "corbeilles à pain", "tables basses en rotin",
                 "couffins", "abat-jour tressés"]),
    "doum-raffia": ("le doum", ["couffins en doum", "nattes", "chapeaux de paille", "paniers en raphia",
                    "sets de table"]),
    "plaster-carving": ("le plâtre sculpté", ["corniches en plâtre sculpté", "rosaces", "panneaux de gebs",
                        "encadrements de miroir"]),
    "stone-carving": ("la pierre", ["fontaines en pierre", "colonnes", "bas-reliefs", "vasques en pierre"]),
    "musical-instruments": ("les instruments de musique", ["ouds", "guembris", "tbilats", "bendirs",
                            "darboukas"]),
    "lanterns": ("les luminaires", ["lanternes en cuivre ajouré", "lampes en peau de chèvre",
                 "appliques murales", "lustres", "photophores"]),
}  # fmt: skip

# The women's and rural shares (%) among a fair's artisans, by the fair's theme. Above the
# themes' quota targets in fairs.demo: targets are floors the jury aims at, not the outcome.
THEME_SHARES = {
    "general": (50, 40), "summer": (48, 35), "year-end": (45, 30), "ramadan": (55, 25),
    "carpets": (85, 60), "women": (100, 50), "pottery": (35, 65), "basketry": (75, 90),
    "heritage": (15, 12), "wedding": (70, 20), "leather": (25, 20), "regional": (50, 38),
    "national": (45, 30), "export": (50, 30),
}  # fmt: skip

# --- Cooperatives -----------------------------------------------------------------------

COOPERATIVE_COUNT = 40
COOPERATIVE_STEMS = [
    ("Al Amal", "الأمل"), ("Nour", "نور"), ("Al Baraka", "البركة"), ("Al Wafae", "الوفاء"),
    ("Annajah", "النجاح"), ("Al Ikhlass", "الإخلاص"), ("Attadamoun", "التضامن"), ("Al Fath", "الفتح"),
    ("Al Mostakbal", "المستقبل"), ("Ennahda", "النهضة"), ("Al Khair", "الخير"), ("Al Yasmine", "الياسمين"),
    ("Assalam", "السلام"), ("Al Massira", "المسيرة"), ("Tiwizi", "تويزي"), ("Al Afak", "الآفاق"),
    ("Al Hana", "الهناء"), ("Al Firdaous", "الفردوس"), ("Chaouia", "الشاوية"), ("Doukkala", "دكالة"),
    ("Al Jawhara", "الجوهرة"), ("Al Karama", "الكرامة"), ("Al Itqane", "الإتقان"), ("Riad", "رياض"),
]  # fmt: skip
# (crafts of its members, French and Arabic "of …", weight, share of women's cooperatives)
COOPERATIVE_TRADES = [
    (("carpets", "weaving"), "de tissage", "للنسيج", 8, 0.8),
    (("embroidery", "traditional-clothing", "passementerie"), "de broderie et de couture",
     "للطرز والخياطة", 8, 0.8),
    (("basketry", "doum-raffia"), "de vannerie et de doum", "للسلالة والدوم", 5, 0.6),
    (("pottery", "ceramics"), "de poterie", "للفخار", 4, 0.1),
    (("leather-goods", "babouches"), "du cuir", "للجلد", 2, 0.1),
    (("woodwork", "marquetry", "thuya"), "du bois", "للخشب", 2, 0.0),
    (("copperware", "wrought-iron", "lanterns"), "de dinanderie", "للنحاسيات", 1, 0.0),
]  # fmt: skip

# --- Applications -----------------------------------------------------------------------

BOOTH_SIZES = [(6, 20), (9, 55), (12, 18), (18, 7)]
BOOTH_KINDS = [
    (BoothKind.STANDARD, 76),
    (BoothKind.CORNER, 12),
    (BoothKind.ISLAND, 4),
    (BoothKind.OUTDOOR, 8),
]
OUTDOOR_VENUES = {"berrechid"}

REJECTION_REASONS = [
    "Dossier incomplet : photos des produits manquantes.",
    "Toutes les places de ce métier sont attribuées.",
    "Produits hors du thème de la foire.",
    "Candidature moins bien notée que les autres du même métier.",
]
WITHDRAWAL_REASONS = [
    "Raisons familiales.",
    "Raisons de santé.",
    "Une autre foire aux mêmes dates.",
    "Stock insuffisant pour la foire.",
]
REVIEW_COMMENTS = [
    "Très beau travail, finitions soignées.",
    "Produits originaux, bonne présentation.",
    "Photos insuffisantes pour juger la qualité.",
    "Travail correct mais peu original.",
    "Savoir-faire authentique, à encourager.",
    "Prix à préciser, produits de qualité.",
]

# The calls open now: how many applications in each status. Decisions at a fair whose call is
# still open are not a path the services take (they decide once review has started); the demo
# writes them so staff and artisans see every status of the workflow on the first screen.
OPEN_CALL_STATUSES = {
    "foire-regionale-casablanca-settat": {
        S.DRAFT: 16, S.SUBMITTED: 96, S.ACCEPTED: 22, S.CONFIRMED: 34, S.WAITLISTED: 10,
        S.REJECTED: 14, S.DECLINED: 5, S.EXPIRED: 3, S.WITHDRAWN: 6,
    },
    "salon-tapis-tissage-settat": {
        S.DRAFT: 6, S.SUBMITTED: 24, S.ACCEPTED: 12, S.CONFIRMED: 26, S.WAITLISTED: 6,
        S.REJECTED: 5, S.DECLINED: 2, S.WITHDRAWN: 2,
    },
    "semaine-nationale-artisanat": {S.DRAFT: 4, S.SUBMITTED: 22, S.WITHDRAWN: 1},
}  # fmt: skip
# The fair running today (fairs.demo.RUNNING_FAIR): its exhibitors, all of them artisans who
# took part in an earlier fair, and the few its jury turned down.
RUNNING_FAIR_STATUSES = {S.CONFIRMED: 26, S.REJECTED: 3}
# The year new applicants to the open calls are drawn for (registry numbers, years at work):
# fixed, so the plan never depends on the day the seed runs.
OPEN_CALL_YEAR = 2025
# Share of the applicants to an open call who took part in an earlier fair.
RETURNING_APPLICANTS = 0.65

# Distinct artisans the 23 local fairs had: the delegation counts more than 1,610.
LOCAL_PARTICIPANTS = 1616

# --- The demo artisan with an account ---------------------------------------------------

DEMO_ARTISAN = {
    "first_name": "Khadija",
    "last_name": "Ait Taleb",
    "first_name_ar": "خديجة",
    "last_name_ar": "آيت الطالب",
    "cin": "W418265",
    "registry_number": "CS-2021-004187",
    "gender": "F",
    "birth_year": 1984,
    "phone": "+212661482093",
    "email": "khadija.aittaleb@souk.example",
    "commune": "Oulad Merrah",
    "area": "rural",
    "languages": ["ar", "fr"],
    "bio": "أنسج الزرابي الشاوية منذ عشرين سنة بأولاد امراح، مع نساء تعاونية نور الشاوية النسائية للنسيج.",
}
DEMO_ARTISAN_PROVINCE = "settat"
DEMO_ARTISAN_CRAFT = "carpets"
DEMO_ARTISAN_COOPERATIVE = "ODCO-2016-00412"
# Her history and her open applications: (fair slug, status).
DEMO_ARTISAN_APPLICATIONS = [
    ("salon-tapis-tissage-2022", S.CONFIRMED),
    ("foire-provinciale-settat-2024", S.CONFIRMED),
    ("foire-regionale-casablanca-settat", S.ACCEPTED),
    ("salon-tapis-tissage-settat", S.DRAFT),
]


# --- The plan ---------------------------------------------------------------------------


@dataclass
class PlannedArtisan:
    cin: str
    fields: dict
    province: str
    main_craft: str
    cooperative: str | None = None  # registration number
    other_craft: str | None = None


@dataclass
class PlannedApplication:
    cin: str
    fair: str  # slug
    status: str
    fields: dict
    score: float | None = None  # 0..1 on the fair's scale, for the demo reviewer


@dataclass
class RegistryPlan:
    cooperatives: list[dict] = field(default_factory=list)
    artisans: dict[str, PlannedArtisan] = field(default_factory=dict)
    applications: list[PlannedApplication] = field(default_factory=list)


@dataclass(frozen=True)
class Weights:
    """Items with weights, drawn like ``random.choices`` but prepared once (the planner draws
    thousands of times from the same few tables)."""

    items: tuple
    cumulative: tuple

    @classmethod
    def of(cls, pairs) -> "Weights":
        items, weights = zip(*pairs, strict=True)
        return cls(items, tuple(accumulate(weights)))

    def draw(self, rng: random.Random):
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1], 0, len(self.items) - 1)]


def _weighted(rng: random.Random, pairs) -> object:
    return Weights.of(pairs).draw(rng)


BOOTH_SIZE_WEIGHTS = Weights.of(BOOTH_SIZES)
BOOTH_KIND_WEIGHTS = Weights.of(BOOTH_KINDS)


@cache
def _craft_weights(crafts: tuple[str, ...], gender: str, area: str) -> Weights:
    index = 0 if gender == "F" else 1
    pairs = []
    for code in crafts:
        weights = CRAFT_WEIGHTS[code]
        rural_factor = weights[2] if area == "rural" else 1 / weights[2]
        pairs.append((code, weights[index] * rural_factor))
    if not any(weight for _code, weight in pairs):
        pairs = [(code, 1) for code in crafts]
    return Weights.of(pairs)


@cache
def _province_weights(area: str, venue: str | None) -> Weights:
    home = VENUES[venue][3] if venue else None
    column = 1 if area == "rural" else 0
    # Most artisans come from around the venue; the rest from the whole region.
    return Weights.of(
        (code, place[column] * (3 if code == home else 1)) for code, place in PLACES.items() if place[column]
    )


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _theme_crafts(theme: str) -> list[str]:
    codes = THEMES[theme][0]
    if codes == ALL_CRAFTS:
        return [craft[0] for sector in REFERENCE_CRAFTS for craft in sector[4]]
    return list(codes)


SECTOR_OF = {craft[0]: sector[0] for sector in REFERENCE_CRAFTS for craft in sector[4]}


@cache
def _sibling_crafts(craft: str) -> tuple[str, ...]:
    return tuple(code for code, sector in SECTOR_OF.items() if sector == SECTOR_OF[craft] and code != craft)


@dataclass
class FairSpec:
    """What the plan needs to know of a fair, from the constants of fairs.demo."""

    slug: str
    theme: str
    venue: str | None
    capacity: int
    starts_on: dt.date | None  # None: an upcoming fair, dated when it was created

    @property
    def crafts(self) -> list[str]:
        return _theme_crafts(self.theme)


def _local_fairs() -> list[FairSpec]:
    return [
        FairSpec(slug, theme, venue, capacity, starts_on)
        for slug, _name, _name_ar, theme, venue, starts_on, _days, capacity, _fee in LOCAL_FAIRS
    ]


def _exhibitions() -> list[FairSpec]:
    return [
        FairSpec(slug, "export" if scope == Fair.Scope.INTERNATIONAL else "national", None, capacity, starts)
        for slug, _n, _a, scope, _city, _country, starts, _days, capacity in PAST_PARTICIPATIONS
    ]


def _open_calls() -> list[FairSpec]:
    specs = {
        slug: FairSpec(slug, theme, venue, capacity, None)
        for slug, _n, _a, theme, _scope, venue, _d, capacity, _fee, status, _o in UPCOMING_FAIRS
        if status == Fair.Status.OPEN
    }
    slug, *_rest, capacity, _offsets = UPCOMING_PARTICIPATION
    specs[slug] = FairSpec(slug, "national", None, capacity, None)
    return [specs[slug] for slug in OPEN_CALL_STATUSES]


def _running_fair() -> FairSpec:
    slug, _name, _name_ar, theme, venue, _days, capacity, _fee, _offsets = RUNNING_FAIR
    return FairSpec(slug, theme, venue, capacity, None)


class Planner:
    """Draws the whole registry from ``ctx.rng``: same code, same artisans, every run."""

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.plan = RegistryPlan()
        self.rng = ctx.rng("registrations:artisans")
        self.cins: set[str] = {DEMO_ARTISAN["cin"]}
        self.phones: set[str] = {DEMO_ARTISAN["phone"]}
        self.registry_numbers: set[str] = {DEMO_ARTISAN["registry_number"]}
        self.emails: set[str] = set()
        # Who took part in which local fair, in the order they were drawn.
        self.participants: list[str] = []
        self.fairs_of: dict[str, set[str]] = defaultdict(set)
        self.first_fair: dict[str, dt.date] = {}
        # The demo artisan is planned like the others (her applications need her craft), but
        # created with her account by ``seed_demo_artisan`` and never drawn at random.
        self.plan.artisans[DEMO_ARTISAN["cin"]] = PlannedArtisan(
            cin=DEMO_ARTISAN["cin"],
            fields={**DEMO_ARTISAN, "language": "ar"},
            province=DEMO_ARTISAN_PROVINCE,
            main_craft=DEMO_ARTISAN_CRAFT,
            cooperative=DEMO_ARTISAN_COOPERATIVE,
        )

    # Artisans ------------------------------------------------------------------------

    def _cin(self, province: str) -> str:
        offices = PLACES[province][2]
        while True:
            letters = (
                self.rng.choice(OTHER_CIN_OFFICES) if self.rng.random() < 0.04 else self.rng.choice(offices)
            )
            digits = 6 if len(letters) == 2 or self.rng.random() < 0.7 else 5
            cin = f"{letters}{self.rng.randrange(10 ** (digits - 1), 10**digits)}"
            if cin not in self.cins:
                self.cins.add(cin)
                return cin

    def _phone(self) -> str:
        while True:
            phone = f"+212{self.rng.choice('6667')}{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _registry_number(self, year: int) -> str:
        while True:
            number = f"CS-{self.rng.randint(2021, year)}-{self.rng.randrange(1, 10**6):06d}"
            if number not in self.registry_numbers:
                self.registry_numbers.add(number)
                return number

    def _email(self, first: str, last: str) -> str:
        base = f"{_ascii(first)}.{_ascii(last)}"
        email, n = f"{base}@example.ma", 1
        while email in self.emails:
            n += 1
            email = f"{base}{n}@example.ma"
        self.emails.add(email)
        return email

    def _cooperative(self, gender: str, area: str, province: str, craft: str) -> str | None:
        chance = {("F", "rural"): 0.45, ("M", "rural"): 0.15, ("F", "urban"): 0.15, ("M", "urban"): 0.05}
        if self.rng.random() >= chance[gender, area]:
            return None
        fitting = [
            coop
            for coop in self.plan.cooperatives
            if craft in coop["crafts"] and (gender == "F" or not coop["women_only"])
        ]
        nearby = [coop for coop in fitting if coop["province"] == province]
        pool = nearby or (fitting if self.rng.random() < 0.3 else [])
        return self.rng.choice(pool)["registration_number"] if pool else None

    def new_artisan(self, *, theme: str, venue: str | None, crafts: list[str], year: int) -> str:
        """Draw one artisan who could take part in a fair of ``theme`` at ``venue``."""
        rng = self.rng
        women, rural = THEME_SHARES[theme]
        gender = "F" if rng.random() * 100 < women else "M"
        area = "rural" if rng.random() * 100 < rural else "urban"
        craft = _craft_weights(tuple(crafts), gender, area).draw(rng)
        province = _province_weights(area, venue).draw(rng)
        first, first_ar = rng.choice(FEMALE_NAMES if gender == "F" else MALE_NAMES)
        last, last_ar = rng.choice(FAMILY_NAMES)
        birth_year = min(2002, max(1950, round(rng.triangular(1950, 2002, 1979))))
        young = birth_year >= 1980
        languages = ["ar"]
        if rng.random() < (0.6 if area == "urban" else 0.25) + (0.1 if young else 0):
            languages.append("fr")
        if rng.random() < (0.2 if area == "rural" else 0.08):
            languages.append("zgh")
        if rng.random() < (0.1 if young and area == "urban" else 0.015):
            languages.append("en")
        message_language = "fr" if "fr" in languages and rng.random() < 0.4 else "ar"
        urban_communes, rural_communes = PLACES[province][3], PLACES[province][4]
        commune = rng.choice(rural_communes if area == "rural" else urban_communes)
        has_registry = rng.random() < 0.6
        has_email = rng.random() < (0.3 if area == "urban" else 0.1)
        has_bio = rng.random() < 0.35
        has_other = rng.random() < 0.12
        years_at_work = rng.randint(3, max(4, min(45, year - birth_year - 14)))
        cin = self._cin(province)
        fields = {
            "first_name": first,
            "last_name": last,
            "first_name_ar": first_ar,
            "last_name_ar": last_ar,
            "cin": cin,
            "registry_number": self._registry_number(max(year, 2021)) if has_registry else "",
            "gender": gender,
            "birth_year": birth_year,
            "phone": self._phone(),
            "email": self._email(first, last) if has_email else "",
            "commune": commune,
            "area": area,
            "languages": languages,
            "language": message_language,
            "bio": (
                f"Je travaille {PRODUCTS[craft][0]} depuis {years_at_work} ans à {commune}."
                if has_bio
                else ""
            ),
        }
        siblings = _sibling_crafts(craft)
        self.plan.artisans[cin] = PlannedArtisan(
            cin=cin,
            fields=fields,
            province=province,
            main_craft=craft,
            cooperative=self._cooperative(gender, area, province, craft),
            other_craft=rng.choice(siblings) if has_other and siblings else None,
        )
        return cin

    # Cooperatives --------------------------------------------------------------------

    def cooperatives(self) -> None:
        rng = self.ctx.rng("registrations:cooperatives")
        # The demo artisan's cooperative comes first, with a fixed number.
        self.plan.cooperatives.append(
            {
                "registration_number": DEMO_ARTISAN_COOPERATIVE,
                "name": "Coopérative féminine Nour Chaouia de tissage",
                "name_ar": "تعاونية نور الشاوية النسائية للنسيج",
                "kind": Cooperative.Kind.COOPERATIVE,
                "province": "settat",
                "women_only": True,
                "crafts": ("carpets", "weaving"),
            }
        )
        names = {"Coopérative féminine Nour Chaouia de tissage"}
        numbers = {DEMO_ARTISAN_COOPERATIVE}
        rural_places = [(code, place[1] + place[0] // 4) for code, place in PLACES.items()]
        while len(self.plan.cooperatives) < COOPERATIVE_COUNT:
            crafts, of_fr, of_ar, _weight, women_share = _weighted(
                rng, [(trade, trade[3]) for trade in COOPERATIVE_TRADES]
            )
            stem, stem_ar = rng.choice(COOPERATIVE_STEMS)
            kind = _weighted(
                rng,
                [
                    (Cooperative.Kind.COOPERATIVE, 85),
                    (Cooperative.Kind.ASSOCIATION, 10),
                    (Cooperative.Kind.COMPANY, 5),
                ],
            )
            women_only = kind != Cooperative.Kind.COMPANY and rng.random() < women_share
            province = _weighted(rng, rural_places)
            year = rng.randint(2008, 2022)
            if kind == Cooperative.Kind.COOPERATIVE:
                name = f"Coopérative {'féminine ' if women_only else ''}{stem} {of_fr}"
                name_ar = f"تعاونية {stem_ar}{' النسائية' if women_only else ''} {of_ar}"
                number = f"ODCO-{year}-{rng.randrange(1, 10**5):05d}"
            elif kind == Cooperative.Kind.ASSOCIATION:
                name = f"Association {stem} des {'artisanes' if women_only else 'artisans'} {of_fr}"
                name_ar = f"جمعية {stem_ar} {'للصانعات التقليديات' if women_only else 'للصناع التقليديين'}"
                number = f"ASSO-{year}-{rng.randrange(1, 10**4):04d}"
            else:
                name = f"Atelier {stem} {of_fr} SARL"
                name_ar = f"شركة {stem_ar} {of_ar} ش.م.م"
                number = f"RC-{rng.randrange(10**5, 10**6)}"
            if name in names or number in numbers:
                continue
            names.add(name)
            numbers.add(number)
            self.plan.cooperatives.append(
                {
                    "registration_number": number,
                    "name": name,
                    "name_ar": name_ar,
                    "kind": kind,
                    "province": province,
                    "women_only": women_only,
                    "crafts": crafts,
                }
            )

    # Applications --------------------------------------------------------------------

    def _details(self, rng: random.Random, cin: str, spec: FairSpec) -> dict:
        artisan = self.plan.artisans[cin]
        craft = artisan.main_craft
        products = rng.sample(PRODUCTS[craft][1], k=min(len(PRODUCTS[craft][1]), rng.randint(2, 3)))
        text = ", ".join(products[:-1]) + " et " + products[-1]
        outdoor = spec.venue in OUTDOOR_VENUES
        return {
            "booth_kind": BoothKind.OUTDOOR
            if outdoor and rng.random() < 0.7
            else BOOTH_KIND_WEIGHTS.draw(rng),
            "booth_size": BOOTH_SIZE_WEIGHTS.draw(rng),
            "preferred_sector": SECTOR_OF[craft] if rng.random() < 0.6 else None,
            "near_cooperative": bool(artisan.cooperative) and rng.random() < 0.5,
            "products": text[0].upper() + text[1:] + ".",
            "needs_electricity": rng.random() < (0.9 if craft == "lanterns" else 0.3),
            "needs_accessibility": rng.random() < (0.08 if artisan.fields["birth_year"] < 1960 else 0.02),
        }

    def _apply(self, cin: str, spec: FairSpec, status: str, rng: random.Random, **extra) -> None:
        self.plan.applications.append(
            PlannedApplication(
                cin=cin, fair=spec.slug, status=status, fields={**self._details(rng, cin, spec), **extra}
            )
        )

    def _eligible(self, cin: str, spec: FairSpec, crafts: set[str]) -> bool:
        artisan = self.plan.artisans[cin]
        return (
            cin != DEMO_ARTISAN["cin"]
            and artisan.main_craft in crafts
            and spec.slug not in self.fairs_of[cin]
            and (spec.theme != "women" or artisan.fields["gender"] == "F")
        )

    def local_fairs(self) -> None:
        fairs = _local_fairs()
        rng = self.ctx.rng("registrations:local-fairs")
        fills = {spec.slug: spec.capacity - _weighted(rng, [(0, 6), (1, 2), (2, 1)]) for spec in fairs}
        # Places left for artisans who took part before, spread over every fair but the first
        # (the demo artisan's second fair is one of them).
        local_slugs = {spec.slug for spec in fairs}
        demo_places = sum(1 for slug, status in DEMO_ARTISAN_APPLICATIONS if slug in local_slugs)
        returning = sum(fills.values()) - LOCAL_PARTICIPANTS - (demo_places - 1)
        later = sum(fills[spec.slug] for spec in fairs[1:])
        reserved = defaultdict(list)
        for slug, status in DEMO_ARTISAN_APPLICATIONS:
            reserved[slug].append((DEMO_ARTISAN["cin"], status))
        for index, spec in enumerate(fairs):
            crafts = set(spec.crafts)
            fair_rng = self.ctx.rng(f"registrations:fair:{spec.slug}")
            chosen = [cin for cin, status in reserved[spec.slug] if status == S.CONFIRMED]
            quota = 0 if index == 0 else round(returning * fills[spec.slug] / later)
            quota = min(quota, returning)
            candidates = [cin for cin in self.participants if self._eligible(cin, spec, crafts)]
            picked = fair_rng.sample(candidates, k=min(quota, len(candidates)))
            returning -= len(picked)
            later -= fills[spec.slug]
            chosen += picked
            while len(chosen) < fills[spec.slug]:
                chosen.append(
                    self.new_artisan(
                        theme=spec.theme, venue=spec.venue, crafts=spec.crafts, year=spec.starts_on.year
                    )
                )
            for cin in chosen:
                if cin not in self.fairs_of:
                    self.participants.append(cin)
                    self.first_fair[cin] = spec.starts_on
                self.fairs_of[cin].add(spec.slug)
                self._apply(cin, spec, S.CONFIRMED, fair_rng)
        # Some were not selected, or were and could not come: drawn among the other fairs'
        # participants, and a few artisans who never took part in any.
        for spec in fairs:
            fair_rng = self.ctx.rng(f"registrations:not-selected:{spec.slug}")
            crafts = set(spec.crafts)
            count = round(spec.capacity * fair_rng.uniform(0.03, 0.08)) + fair_rng.randint(0, 3)
            candidates = [cin for cin in self.participants if self._eligible(cin, spec, crafts)]
            for n in range(count):
                status = S.DECLINED if n % 4 == 3 else S.REJECTED
                if fair_rng.random() < 0.7 and candidates:
                    cin = candidates.pop(fair_rng.randrange(len(candidates)))
                else:
                    cin = self.new_artisan(
                        theme=spec.theme, venue=spec.venue, crafts=spec.crafts, year=spec.starts_on.year
                    )
                self.fairs_of[cin].add(spec.slug)
                reason = fair_rng.choice(REJECTION_REASONS if status == S.REJECTED else WITHDRAWAL_REASONS)
                self._apply(cin, spec, status, fair_rng, decision_reason=reason)

    def exhibitions(self) -> None:
        """The artisans the delegation sent to national and international exhibitions: chosen
        among those who took part in its own fairs before, French and English speakers first."""
        for spec in _exhibitions():
            rng = self.ctx.rng(f"registrations:exhibition:{spec.slug}")
            crafts = set(spec.crafts)
            international = spec.theme == "export"
            pool = [
                cin
                for cin in self.participants
                if self.first_fair[cin] < spec.starts_on and self._eligible(cin, spec, crafts)
            ]
            spoken = [self.plan.artisans[cin].fields["languages"] for cin in pool]
            weights = [1 + 3 * ("fr" in x) + 4 * ("en" in x) if international else 1 for x in spoken]
            chosen = []
            while pool and len(chosen) < spec.capacity + 2:
                index = rng.choices(range(len(pool)), weights=weights)[0]
                chosen.append(pool.pop(index))
                weights.pop(index)
            for n, cin in enumerate(chosen):
                spoken = self.plan.artisans[cin].fields["languages"]
                extra = {"languages": spoken}
                if international:
                    extra["passport_valid_until"] = spec.starts_on + dt.timedelta(days=rng.randint(400, 3000))
                    extra["export_experience"] = rng.choice(
                        [
                            "Ventes à des clients étrangers à la foire de Casablanca.",
                            "Commandes régulières d'une boutique en France.",
                            "Aucune, première exposition à l'étranger.",
                            "Participation à une foire en Espagne en 2019.",
                        ]
                    )
                status = S.CONFIRMED if n < spec.capacity else S.REJECTED
                if status == S.REJECTED:
                    extra["decision_reason"] = rng.choice(REJECTION_REASONS[1:])
                self.fairs_of[cin].add(spec.slug)
                self._apply(cin, spec, status, rng, **extra)

    def open_calls(self) -> None:
        """Applications in every status to the calls open now, from returning and new artisans."""
        for spec in _open_calls():
            rng = self.ctx.rng(f"registrations:open-call:{spec.slug}")
            crafts = set(spec.crafts)
            statuses = [status for status, n in OPEN_CALL_STATUSES[spec.slug].items() for _ in range(n)]
            rng.shuffle(statuses)
            candidates = [cin for cin in self.participants if self._eligible(cin, spec, crafts)]
            for slug, status in DEMO_ARTISAN_APPLICATIONS:
                if slug == spec.slug:
                    self._apply(DEMO_ARTISAN["cin"], spec, status, rng)
                    statuses.remove(status)
            for status in statuses:
                if candidates and rng.random() < RETURNING_APPLICANTS:
                    cin = candidates.pop(rng.randrange(len(candidates)))
                else:
                    cin = self.new_artisan(
                        theme=spec.theme, venue=spec.venue, crafts=spec.crafts, year=OPEN_CALL_YEAR
                    )
                self.fairs_of[cin].add(spec.slug)
                extra = {}
                if status == S.REJECTED:
                    extra["decision_reason"] = rng.choice(REJECTION_REASONS)
                elif status in (S.WITHDRAWN, S.DECLINED):
                    extra["decision_reason"] = rng.choice(WITHDRAWAL_REASONS)
                self._apply(cin, spec, status, rng, **extra)

    def running_fair(self) -> None:
        """The fair running today: returning artisans of its crafts, confirmed (a few rejected)."""
        spec = _running_fair()
        rng = self.ctx.rng(f"registrations:running:{spec.slug}")
        crafts = set(spec.crafts)
        candidates = [cin for cin in self.participants if self._eligible(cin, spec, crafts)]
        statuses = [status for status, n in RUNNING_FAIR_STATUSES.items() for _ in range(n)]
        for status, cin in zip(
            statuses, rng.sample(candidates, k=min(len(statuses), len(candidates))), strict=False
        ):
            self.fairs_of[cin].add(spec.slug)
            extra = {"decision_reason": rng.choice(REJECTION_REASONS)} if status == S.REJECTED else {}
            self._apply(cin, spec, status, rng, **extra)

    def scores(self) -> None:
        """What the demo reviewer thought (0..1 of the fair's scale), for the open calls: every
        decided application and about half of those still to decide."""
        open_slugs = set(OPEN_CALL_STATUSES)
        rng = self.ctx.rng("registrations:scores")
        ranges = {
            S.SUBMITTED: (0.0, 1.0), S.ACCEPTED: (0.7, 1.0), S.CONFIRMED: (0.7, 1.0), S.DECLINED: (0.6, 1.0),
            S.EXPIRED: (0.6, 1.0), S.WAITLISTED: (0.45, 0.7), S.REJECTED: (0.0, 0.45),
        }  # fmt: skip
        for application in self.plan.applications:
            if application.fair not in open_slugs or application.status not in ranges:
                continue
            draw, score = rng.random(), rng.uniform(*ranges[application.status])
            if application.status != S.SUBMITTED or draw < 0.5:
                application.score = score


def _build_plan(ctx: DemoContext) -> RegistryPlan:
    planner = Planner(ctx)
    planner.cooperatives()
    planner.local_fairs()
    planner.exhibitions()
    planner.open_calls()
    planner.running_fair()
    planner.scores()
    return planner.plan


def registry_plan(ctx: DemoContext) -> RegistryPlan:
    """The plan, drawn once per run and shared by the parts below."""
    plan = getattr(ctx, "registry_plan", None)
    if plan is None:
        plan = ctx.registry_plan = _build_plan(ctx)
    return plan


# --- Writing ----------------------------------------------------------------------------


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_artisans(cins) -> dict[str, int]:
    found = {}
    for chunk in _chunks(sorted(cins)):
        found.update(Artisan.objects.filter(cin__in=chunk).values_list("cin", "pk"))
    return found


def _log_import(ctx: DemoContext, *, action: str, obj, changes: dict) -> None:
    """One audit entry per bulk step, like ``registrations.imports``: a line per row would bury
    the log under thousands of entries that say nothing a summary does not, and cost a query
    each. The entry names the seed, so nobody mistakes the rows for decisions taken."""
    audit_log(actor=ctx.actor, action=action, obj=obj, changes={**changes, "source": "seed_demo"})


def seed_cooperatives(ctx: DemoContext) -> None:
    """About 40 cooperatives, associations and companies, in bulk with one audit entry (the
    service's ``full_clean`` with its constraint queries would cost more than the rest of
    the part; the planned values are checked by the tests instead)."""
    plan = registry_plan(ctx)
    numbers = [coop["registration_number"] for coop in plan.cooperatives]
    existing = set(
        Cooperative.objects.filter(registration_number__in=numbers).values_list(
            "registration_number", flat=True
        )
    )
    missing = [coop for coop in plan.cooperatives if coop["registration_number"] not in existing]
    if not missing:
        return
    provinces = dict(Province.objects.filter(code__in=PLACES).values_list("code", "pk"))
    Cooperative.objects.bulk_create(
        [
            Cooperative(
                **{key: value for key, value in coop.items() if key not in ("crafts", "province")},
                province_id=provinces[coop["province"]],
            )
            for coop in missing
        ]
    )
    ctx.created["cooperatives"] += len(missing)
    _log_import(
        ctx,
        action="cooperative.import",
        obj=ContentType.objects.get_for_model(Cooperative),
        changes={"created": len(missing)},
    )


def seed_demo_artisan(ctx: DemoContext) -> None:
    """Khadija, a weaver with an account: she logs in with her CIN and the demo password."""
    cin = DEMO_ARTISAN["cin"]
    artisan = Artisan.objects.select_related("user").filter(cin=cin).first()
    created = False
    if artisan is None or artisan.user is None:
        fields = {
            **DEMO_ARTISAN,
            "province": Province.objects.get(code=DEMO_ARTISAN_PROVINCE),
            "main_craft": CraftCategory.objects.get(code=DEMO_ARTISAN_CRAFT),
            "cooperative": Cooperative.objects.filter(registration_number=DEMO_ARTISAN_COOPERATIVE).first(),
        }
        user = User.objects.filter(username=cin).first()
        if user is None and artisan is None:
            # The path a real artisan takes: the service makes the account and the profile.
            artisan = artisan_sign_up(password=DEMO_PASSWORD, language="ar", **fields)
            created = True
        elif artisan is None:
            artisan = artisan_create(actor=ctx.actor, user=user, **{**fields, "language": "ar"})
        else:
            # A profile without an account (e.g. edited by hand): give it the demo account,
            # and leave the profile as it is.
            if user is None:
                user = User(
                    username=cin, first_name=artisan.first_name, last_name=artisan.last_name, language="ar"
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
                created = True
            artisan.user = user
            artisan.save(update_fields=["user", "updated_at"])
        if created:
            ctx.created["users"] += 1
    ctx.users["artisan"] = artisan.user
    ctx.logins.append(
        DemoLogin(
            username=artisan.user.username,
            password=DEMO_PASSWORD,
            roles="artisan",
            language=artisan.user.language,
            created=created,
        )
    )


def seed_artisans(ctx: DemoContext) -> None:
    """The registry: every planned artisan whose CIN is not there yet, in bulk."""
    plan = registry_plan(ctx)
    existing = _existing_artisans(plan.artisans)
    missing = [artisan for cin, artisan in plan.artisans.items() if cin not in existing]
    if not missing:
        return
    provinces = dict(Province.objects.filter(code__in=PLACES).values_list("code", "pk"))
    crafts = dict(CraftCategory.objects.filter(parent__isnull=False).values_list("code", "pk"))
    cooperatives = dict(
        Cooperative.objects.filter(
            registration_number__in=[coop["registration_number"] for coop in plan.cooperatives]
        ).values_list("registration_number", "pk")
    )
    # A registry number someone else was given since (by hand or an import) stays theirs.
    taken = set()
    numbers = [artisan.fields["registry_number"] for artisan in missing if artisan.fields["registry_number"]]
    for chunk in _chunks(numbers):
        taken.update(
            Artisan.objects.filter(registry_number__in=chunk).values_list("registry_number", flat=True)
        )
    rows = [
        Artisan(
            **{**artisan.fields, "registry_number": "" if artisan.fields["registry_number"] in taken else
               artisan.fields["registry_number"]},
            province_id=provinces[artisan.province],
            main_craft_id=crafts[artisan.main_craft],
            cooperative_id=cooperatives.get(artisan.cooperative),
        )
        for artisan in missing
    ]  # fmt: skip
    Artisan.objects.bulk_create(rows, batch_size=500)
    ids = _existing_artisans([artisan.cin for artisan in missing])
    Through = Artisan.other_crafts.through
    Through.objects.bulk_create(
        [
            Through(artisan_id=ids[artisan.cin], craftcategory_id=crafts[artisan.other_craft])
            for artisan in missing
            if artisan.other_craft
        ],
        batch_size=500,
    )
    ctx.created["artisans"] += len(rows)
    _log_import(
        ctx,
        action="artisan.import",
        obj=ContentType.objects.get_for_model(Artisan),
        changes={"created": len(rows)},
    )


def _timestamps(ctx: DemoContext, fair: Fair, status: str, rng: random.Random, past: bool) -> dict:
    """When it was submitted, decided and confirmed: in the call window, the decision after it
    (as the services do) for past fairs; up to now, within the window, for the open calls."""
    hour = dt.timedelta(hours=1)
    day = dt.timedelta(days=1)
    offer = dt.timedelta(days=fair.offer_days)
    opens, closes = fair.applications_open_at, fair.applications_close_at
    draws = [rng.random() for _ in range(4)]  # the same number of draws whatever the status

    def span(start, end, draw):
        moment = start + (end - start) * draw if end > start else start
        return moment.replace(second=0, microsecond=0)

    stamps: dict = {}
    if status == S.DRAFT:
        return stamps
    if past:
        stamps["submitted_at"] = span(opens, closes - hour, draws[0])
        closed_on = timezone.localdate(closes)
        decided = at(closed_on + dt.timedelta(days=1 + int(draws[1] * 4)), 10 + int(draws[2] * 7))
    else:
        latest = min(ctx.now, closes)
        if status == S.EXPIRED:
            # Decided long enough ago for the offer to have run out.
            stamps["submitted_at"] = span(opens, opens + 2 * day, draws[0])
            decided = span(stamps["submitted_at"] + hour, ctx.now - offer - day, draws[1])
        elif status == S.ACCEPTED:
            stamps["submitted_at"] = span(opens, latest - 2 * day, draws[0])
            earliest = max(stamps["submitted_at"] + hour, ctx.now - offer + day)
            decided = span(earliest, ctx.now - hour, draws[1])
        else:
            stamps["submitted_at"] = span(opens, latest - 2 * hour, draws[0])
            decided = span(stamps["submitted_at"] + hour, latest - hour, draws[1])
    if status in (S.SUBMITTED, S.WITHDRAWN):
        return stamps
    stamps["decided_at"] = decided
    if status in (S.ACCEPTED, S.CONFIRMED, S.DECLINED, S.EXPIRED):
        stamps["offer_deadline"] = decided + offer
    if status == S.CONFIRMED:
        latest_answer = min(stamps["offer_deadline"], ctx.now) - hour
        stamps["confirmed_at"] = span(decided + hour, latest_answer, draws[3])
    return stamps


def seed_applications(ctx: DemoContext) -> None:
    """Past participations, exhibitions and the open calls: every planned application whose
    artisan and fair have none yet.

    Past applications are records being loaded, like the fairs' history in fairs.demo: they
    did not go through the workflow then, so they are written as they ended. The open calls'
    rows are written directly too (see OPEN_CALL_STATUSES), keeping the model's invariants and
    the rule the services enforce: no fair holds more accepted and confirmed artisans than it
    has places.
    """
    plan = registry_plan(ctx)
    slugs = {application.fair for application in plan.applications}
    fairs = {slug: ctx.fairs[slug] for slug in slugs}
    fair_ids = [fair.pk for fair in fairs.values()]
    existing = set()
    places = Counter()
    ranks = defaultdict(set)
    rows = Application.objects.filter(fair_id__in=fair_ids).values_list(
        "artisan__cin", "fair_id", "status", "waitlist_rank"
    )
    for cin, fair_id, status, rank in rows:
        existing.add((cin, fair_id))
        places[fair_id] += status in HOLDS_A_PLACE
        if rank is not None:
            ranks[fair_id].add(rank)
    missing = [a for a in plan.applications if (a.cin, fairs[a.fair].pk) not in existing]
    if not missing:
        return
    artisans = _existing_artisans({a.cin for a in missing})
    sectors = dict(CraftCategory.objects.filter(parent__isnull=True).values_list("code", "pk"))
    staff = ctx.actor
    demo_user = ctx.users.get("artisan")
    # Decided before today: the past fairs, the exhibitions and the fair running today.
    past_slugs = {spec.slug for spec in [*_local_fairs(), *_exhibitions(), _running_fair()]}
    new = []
    made = defaultdict(Counter)
    for application in missing:
        fair = fairs[application.fair]
        artisan_id = artisans.get(application.cin)
        if artisan_id is None:  # someone deleted the artisan and kept the CIN out: skip
            continue
        status = application.status
        if status in HOLDS_A_PLACE and places[fair.pk] >= fair.capacity:
            continue  # the fair filled up by other means since: never over capacity
        rng = ctx.rng(f"registrations:application:{application.fair}:{application.cin}")
        fields = dict(application.fields)
        fields["preferred_sector_id"] = sectors.get(fields.pop("preferred_sector"))
        rank = None
        if status == S.WAITLISTED:
            rank = 1
            while rank in ranks[fair.pk]:
                rank += 1
            ranks[fair.pk].add(rank)
        decided = status not in (S.DRAFT, S.SUBMITTED, S.WITHDRAWN)
        own = application.cin == DEMO_ARTISAN["cin"] and demo_user is not None
        new.append(
            Application(
                artisan_id=artisan_id,
                fair=fair,
                status=status,
                waitlist_rank=rank,
                decided_by=staff if decided else None,
                created_by=demo_user if own else staff,
                **fields,
                **_timestamps(ctx, fair, status, rng, past=application.fair in past_slugs),
            )
        )
        places[fair.pk] += status in HOLDS_A_PLACE
        made[fair][status] += 1
    Application.objects.bulk_create(new, batch_size=500)
    ctx.created["applications"] += len(new)
    for fair, counts in made.items():
        _log_import(ctx, action="application.import", obj=fair, changes={"created": dict(counts)})


def seed_reviews(ctx: DemoContext) -> None:
    """The demo reviewer's scores on the open calls (written in bulk, one audit entry per fair)."""
    plan = registry_plan(ctx)
    reviewer = ctx.users["reviewer"]
    scored = [a for a in plan.applications if a.score is not None]
    fairs = {a.fair: ctx.fairs[a.fair] for a in scored}
    applications = {
        (cin, fair_id): (pk, status)
        for pk, cin, fair_id, status in Application.objects.filter(
            fair_id__in=[fair.pk for fair in fairs.values()]
        ).values_list("pk", "artisan__cin", "fair_id", "status")
    }
    reviewed = set(Review.objects.filter(reviewer=reviewer).values_list("application_id", flat=True))
    new = []
    made = Counter()
    for planned in scored:
        fair = fairs[planned.fair]
        pk, status = applications.get((planned.cin, fair.pk), (None, None))
        # Only on the row the plan made (not one a person has moved on since) and only once.
        if pk is None or pk in reviewed or status != planned.status:
            continue
        rng = ctx.rng(f"registrations:review:{planned.fair}:{planned.cin}")
        comment = rng.choice(REVIEW_COMMENTS) if rng.random() < 0.4 else ""
        score = max(1, min(fair.score_max, round(1 + planned.score * (fair.score_max - 1))))
        new.append(Review(application_id=pk, reviewer=reviewer, score=score, comment=comment))
        made[fair] += 1
    if not new:
        return
    Review.objects.bulk_create(new, batch_size=500)
    ctx.created["reviews"] += len(new)
    for fair, count in made.items():
        _log_import(
            ctx, action="review.import", obj=fair, changes={"created": count, "reviewer": reviewer.pk}
        )


PARTS = (seed_cooperatives, seed_demo_artisan, seed_artisans, seed_applications, seed_reviews)


# --- Summary ----------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "–"


def summary(ctx: DemoContext) -> list[tuple[str, str]]:
    """The registry's figures: artisans, cooperatives, the 23 local fairs' participants and
    the open calls' applications by status."""
    local_slugs = [row[0] for row in LOCAL_FAIRS]
    participants = Artisan.objects.filter(
        applications__status=S.CONFIRMED,
        applications__fair__slug__in=local_slugs,
        applications__fair__status=Fair.Status.CLOSED,
    ).distinct()
    people = participants.aggregate(
        n=Count("pk", distinct=True),
        women=Count("pk", distinct=True, filter=Q(gender=Artisan.Gender.FEMALE)),
        rural=Count("pk", distinct=True, filter=Q(area=Artisan.Area.RURAL)),
    )
    participations = Application.objects.filter(
        status=S.CONFIRMED, fair__slug__in=local_slugs, fair__status=Fair.Status.CLOSED
    ).count()
    # Came back: took part in two closed fairs or more (local fairs and exhibitions).
    returning = (
        Application.objects.filter(
            artisan__in=participants, status=S.CONFIRMED, fair__status=Fair.Status.CLOSED
        )
        .values("artisan")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .count()
    )
    rows = [
        ("artisans", str(Artisan.objects.count())),
        ("cooperatives", str(Cooperative.objects.count())),
        (f"participants, {len(local_slugs)} local fairs 2021–2024", str(people["n"])),
        ("  participations", str(participations)),
        ("  women", _share(people["women"], people["n"])),
        ("  rural", _share(people["rural"], people["n"])),
        ("  at two fairs or more", f"{returning} ({_share(returning, people['n'])})"),
    ]
    open_fairs = Fair.objects.filter(status=Fair.Status.OPEN).order_by("applications_close_at", "slug")
    counts = defaultdict(Counter)
    for fair_id, status, n in (
        Application.objects.filter(fair__in=open_fairs)
        .values_list("fair_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[fair_id][status] = n
    total = Counter()
    for fair in open_fairs:
        total.update(counts[fair.pk])
    rows.append(("applications, open calls", str(sum(total.values()))))
    rows += [(f"  {status}", str(total[status])) for status in S.values if total[status]]
    return rows
