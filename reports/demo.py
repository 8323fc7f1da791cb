"""Results after the fairs of the demo region (``manage.py seed_demo``; see core.demo).

What it builds on the participations of ``registrations.demo`` and the check-ins of
``badges.demo``: the outcomes of the 23 closed local fairs and of the closed national and
international exhibitions, as artisans report them.

* About two participants in three report (62 % at the local fairs, 75 % at national ones,
  85 % abroad, where the delegation follows each artisan up), and only those who came (an
  accepted entry scan, or a fair that kept no check-ins).
* Sales are skewed like a craft fair's: a log-normal around 6,500 MAD at a local fair (most
  between 2,000 and 20,000, a few above 50,000, a few with nothing sold), twice that at a
  national exhibition and four times abroad. Items sold follow from a typical price by craft
  (a carpet is not a tajine); orders are a handful at most; export contacts are rare at
  local fairs and common abroad. One report in eight has a short note.
* Reported one to twenty-five days after the fair closed, by the artisan when they have an
  account, else by the demo staff member who typed the paper forms in.
* Khadija, the demo artisan, reported her 2022 carpet fair and has not reported her 2024
  fair yet, so her space shows both states.

Attestations are not seeded: each is made when its artisan first downloads it.

Bulk-created (one ``bulk_create`` for all fairs, then one ``executemany`` that puts the report
dates in the past), one ``outcomes.import`` audit entry per fair. Idempotent: a fair with any
outcome is left as it is. Deterministic: every draw comes from ``ctx.rng`` keyed by fair and
CIN.
"""

import datetime as dt
import math
import random
from collections import Counter
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum

from core.demo import DemoContext, at
from core.models import User
from core.services import audit_log
from fairs.demo import LOCAL_FAIRS, PAST_PARTICIPATIONS
from fairs.models import Fair
from registrations.demo import DEMO_ARTISAN
from registrations.models import Application
from reports.models import MAX_COUNT, MAX_SALES_MAD, Outcome
from reports.selectors import PARTICIPATING, attended_filter

REPORTING = {
    Fair.Scope.LOCAL: 0.62,
    Fair.Scope.REGIONAL: 0.65,
    Fair.Scope.NATIONAL: 0.75,
    Fair.Scope.INTERNATIONAL: 0.85,
}
# Median sales of an artisan who reports (MAD), and the spread of the log-normal.
MEDIAN_SALES = {
    Fair.Scope.LOCAL: 6500,
    Fair.Scope.REGIONAL: 8000,
    Fair.Scope.NATIONAL: 13000,
    Fair.Scope.INTERNATIONAL: 26000,
}
SALES_SPREAD = 0.8
NOTHING_SOLD = 0.03
# A typical price per item by craft (MAD); other crafts: DEFAULT_PRICE.
ITEM_PRICE = {
    "pottery": 120, "ceramics": 180, "zellige": 450, "carpets": 1800, "weaving": 350, "embroidery": 300,
    "traditional-clothing": 900, "passementerie": 150, "leather-goods": 280, "babouches": 150,
    "woodwork": 500, "marquetry": 700, "thuya": 350, "copperware": 400, "wrought-iron": 600,
    "silver-jewellery": 350, "gold-jewellery": 2500, "basketry": 90, "doum-raffia": 70,
    "plaster-carving": 800, "stone-carving": 900, "musical-instruments": 700, "lanterns": 350,
}  # fmt: skip
DEFAULT_PRICE = 300
# (orders taken, weight) and (export contacts, weight) by scope.
ORDERS = {
    Fair.Scope.LOCAL: [(0, 45), (1, 25), (2, 13), (3, 8), (4, 5), (6, 3), (10, 1)],
    Fair.Scope.NATIONAL: [(0, 30), (1, 25), (2, 18), (3, 12), (5, 10), (8, 5)],
    Fair.Scope.INTERNATIONAL: [(0, 15), (1, 20), (2, 20), (3, 15), (5, 15), (8, 10), (12, 5)],
}
CONTACTS = {
    Fair.Scope.LOCAL: [(0, 92), (1, 6), (2, 2)],
    Fair.Scope.NATIONAL: [(0, 70), (1, 18), (2, 8), (3, 4)],
    Fair.Scope.INTERNATIONAL: [(0, 10), (1, 15), (2, 20), (3, 20), (5, 20), (8, 15)],
}
NOTES = [
    "Bonne affluence le week-end, calme en semaine.",
    "Commande d'un hôtel de Casablanca pour la rentrée.",
    "Les visiteurs demandaient des pièces plus petites, faciles à transporter.",
    "Stand bien placé, près de l'entrée.",
    "Plusieurs clients ont demandé le paiement par carte.",
    "Contact avec une boutique de décoration à Marrakech.",
    "إقبال جيد من الزوار، وطلبات بعد المعرض.",
    "المبيعات ضعيفة في الأيام الأولى ثم تحسنت.",
    "طلب زبون أجنبي عينات لإرسالها إلى الخارج.",
]
NOTE_SHARE = 0.12
DEMO_ARTISAN_REPORTS = {"salon-tapis-tissage-2022": True, "foire-provinciale-settat-2024": False}


def _weighted(rng: random.Random, pairs) -> int:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _scoped(table: dict, scope: str):
    return (
        table.get(scope) or table[Fair.Scope.NATIONAL if scope == Fair.Scope.REGIONAL else Fair.Scope.LOCAL]
    )


def _staff(ctx: DemoContext):
    if "staff" not in ctx.users:
        user = User.objects.filter(username="staff").first()
        if user is not None:
            ctx.users["staff"] = user
    return ctx.users.get("staff")


def _past_fairs() -> list[Fair]:
    slugs = [row[0] for row in LOCAL_FAIRS] + [row[0] for row in PAST_PARTICIPATIONS]
    return list(Fair.objects.filter(slug__in=slugs, status=Fair.Status.CLOSED).order_by("starts_on", "pk"))


def _figures(rng: random.Random, scope: str, craft: str) -> dict:
    if rng.random() < NOTHING_SOLD:
        sales = Decimal("0")
    else:
        raw = rng.lognormvariate(math.log(_scoped(MEDIAN_SALES, scope)), SALES_SPREAD)
        sales = min(Decimal(round(raw / 50) * 50), MAX_SALES_MAD)
    price = ITEM_PRICE.get(craft, DEFAULT_PRICE) * rng.lognormvariate(0, 0.3)
    items = min(max(1, round(float(sales) / price)), MAX_COUNT) if sales else 0
    orders = _weighted(rng, _scoped(ORDERS, scope))
    return {
        "sales_mad": sales,
        "items_sold": items,
        "orders": orders if sales else min(orders, 1),
        "export_contacts": _weighted(rng, _scoped(CONTACTS, scope)),
        "notes": rng.choice(NOTES) if rng.random() < NOTE_SHARE else "",
    }


def seed_outcomes(ctx: DemoContext) -> None:
    """Outcomes of the closed past fairs that have none yet, in bulk."""
    fairs = _past_fairs()
    done = set(
        Outcome.objects.filter(application__fair__in=fairs).values_list("application__fair_id", flat=True)
    )
    todo = {fair.pk: fair for fair in fairs if fair.pk not in done}
    if not todo:
        return
    staff = _staff(ctx)
    made: list[Outcome] = []
    when: list[dt.datetime] = []
    per_fair = Counter()
    applications = (
        Application.objects.filter(fair__in=todo.values(), status__in=PARTICIPATING)
        .filter(attended_filter())
        .select_related("artisan__main_craft")
        .order_by("fair__starts_on", "pk")
    )
    for application in applications:
        fair = todo[application.fair_id]
        artisan = application.artisan
        rng = ctx.rng(f"reports:outcome:{fair.slug}:{artisan.cin}")
        reports = rng.random() < REPORTING.get(fair.scope, 0.6)
        if artisan.cin == DEMO_ARTISAN["cin"]:
            reports = DEMO_ARTISAN_REPORTS.get(fair.slug, reports)
        if not reports:
            continue
        craft = artisan.main_craft.code if artisan.main_craft_id else ""
        made.append(
            Outcome(
                application=application,
                reported_by_id=artisan.user_id or (staff.pk if staff else None),
                **_figures(rng, fair.scope, craft),
            )
        )
        when.append(
            at(fair.ends_on + dt.timedelta(days=rng.randint(1, 25)), rng.randint(9, 18), rng.randint(0, 59))
        )
        per_fair[fair.pk] += 1
    Outcome.objects.bulk_create(made, batch_size=500)
    _backdate(made, when)
    ctx.created["outcomes"] += len(made)
    for fair_id, count in per_fair.items():
        audit_log(actor=staff, action="outcomes.import", obj=todo[fair_id],
                  changes={"reported": count, "source": "seed_demo"})  # fmt: skip


def _backdate(outcomes: list[Outcome], when: list[dt.datetime]) -> None:
    """Put each outcome's ``reported_at`` (``auto_now_add``: ``bulk_create`` writes now) on the
    day it was reported, in one ``executemany`` (``bulk_update`` builds a CASE of a thousand
    branches and takes seconds)."""
    ops = connection.ops
    table = ops.quote_name(Outcome._meta.db_table)
    reported, updated = (
        ops.quote_name(Outcome._meta.get_field(name).column) for name in ("reported_at", "updated_at")
    )
    rows = []
    for outcome, moment in zip(outcomes, when, strict=True):
        outcome.reported_at = outcome.updated_at = moment
        value = ops.adapt_datetimefield_value(moment)
        rows.append((value, value, outcome.pk))
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {reported} = %s, {updated} = %s WHERE id = %s", rows)  # noqa: S608 -- names from the model


PARTS = (seed_outcomes,)


def summary(ctx: DemoContext) -> list[tuple[str, str]]:
    """Reported outcomes of the closed fairs and what they add up to."""
    fairs = _past_fairs()
    participations = Application.objects.filter(fair__in=fairs, status__in=PARTICIPATING).count()
    figures = Outcome.objects.filter(application__fair__in=fairs).aggregate(
        n=Count("pk"),
        sales=Sum("sales_mad"),
        big=Count("pk", filter=Q(sales_mad__gte=50000)),
        contacts=Sum("export_contacts"),
    )
    share = f"{100 * figures['n'] / participations:.1f} %" if participations else "–"
    sales = figures["sales"] or 0
    return [
        ("outcomes reported", f"{figures['n']} of {participations} participations ({share})"),
        ("  sales", f"{sales:,.0f} MAD ({figures['big']} above 50,000)".replace(",", " ")),
        ("  export contacts", str(figures["contacts"] or 0)),
    ]
