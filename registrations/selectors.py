"""Reads of the registry that web pages, the API and exports share, with their joins in one place."""

import re
from collections.abc import Iterable

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from core.models import CraftCategory
from fairs.models import Fair
from registrations.models import Application, Artisan, Cooperative

# The name fields a search word may match, in both scripts.
NAME_FIELDS = ("first_name", "last_name", "first_name_ar", "last_name_ar")


def participations_filter(prefix: str = "") -> Q:
    """A participation: a confirmed application at a fair that has closed."""
    return Q(**{f"{prefix}status": Application.Status.CONFIRMED, f"{prefix}fair__status": Fair.Status.CLOSED})


def with_participations(artisans: QuerySet) -> QuerySet:
    """Annotate ``participations`` (closed fairs the artisan took part in) with a correlated
    subquery: it costs nothing on ``count()`` and runs only for the rows of a page."""
    per_artisan = (
        Application.objects.filter(participations_filter(), artisan=OuterRef("pk"))
        .order_by()
        .values("artisan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return artisans.annotate(
        participations=Coalesce(Subquery(per_artisan, output_field=IntegerField()), Value(0))
    )


def craft_and_its_crafts(craft: CraftCategory) -> list[int]:
    """A sector stands for all its crafts; a craft for itself."""
    if craft.parent_id is None or craft.parent_id == craft.pk:
        return [craft.pk, *CraftCategory.objects.filter(parent=craft).values_list("pk", flat=True)]
    return [craft.pk]


def search_artisans(artisans: QuerySet, q: str) -> QuerySet:
    """Names in Latin or Arabic script, CIN, registry number.

    Every word must match some field ("Fatima Bennani" finds her whichever field holds which
    word); the whole query with spaces and dashes removed also matches a CIN or registry
    number written any way ("be 123 456", "be-123456").
    """
    words = q.split()
    if not words:
        return artisans
    every_word = Q()
    for word in words:
        any_field = Q()
        for name in (*NAME_FIELDS, "cin", "registry_number"):
            any_field |= Q(**{f"{name}__icontains": word})
        every_word &= any_field
    compact = re.sub(r"[\s\-]", "", q).upper()
    return artisans.filter(every_word | Q(cin__startswith=compact) | Q(registry_number__iexact=compact))


def artisan_list(
    *,
    q: str = "",
    craft: CraftCategory | None = None,
    province=None,
    cooperative: Cooperative | None = None,
    gender: str = "",
    area: str = "",
    has_account: bool | None = None,
    base: QuerySet | None = None,
) -> QuerySet:
    """The registry, filtered; each row carries its province, main craft (with sector),
    cooperative and ``participations``. A craft filter matches the main or another craft;
    a sector matches all of its crafts."""
    artisans = (base if base is not None else Artisan.objects.all()).select_related(
        "province", "main_craft", "main_craft__parent", "cooperative"
    )
    artisans = search_artisans(artisans, q.strip())
    if craft is not None:
        crafts = craft_and_its_crafts(craft)
        other = Artisan.other_crafts.through.objects.filter(artisan=OuterRef("pk"), craftcategory__in=crafts)
        artisans = artisans.filter(Q(main_craft__in=crafts) | Exists(other))
    if province is not None:
        artisans = artisans.filter(province=province)
    if cooperative is not None:
        artisans = artisans.filter(cooperative=cooperative)
    if gender:
        artisans = artisans.filter(gender=gender)
    if area:
        artisans = artisans.filter(area=area)
    if has_account is not None:
        artisans = artisans.filter(user__isnull=not has_account)
    return with_participations(artisans).order_by("last_name", "first_name", "pk")


def artisan_detail_queryset() -> QuerySet:
    """One artisan with what the profile page shows, in a fixed number of queries."""
    return Artisan.objects.select_related(
        "user", "province", "main_craft", "main_craft__parent", "cooperative", "cooperative__province"
    ).prefetch_related(
        Prefetch("other_crafts", queryset=CraftCategory.objects.select_related("parent")),
        "product_photos",
    )


def artisan_applications(artisan: Artisan) -> QuerySet:
    """Every application of the artisan, across fairs, newest fair first."""
    return (
        Application.objects.filter(artisan=artisan)
        .select_related("fair", "fair__venue", "preferred_sector")
        .order_by("-fair__starts_on", "-pk")
    )


def artisan_participations(artisan: Artisan) -> QuerySet:
    """The closed fairs the artisan took part in (confirmed there), newest first."""
    return artisan_applications(artisan).filter(participations_filter())


def is_participation(application: Application) -> bool:
    """The same rule as ``participations_filter``, on a loaded application."""
    return (
        application.status == Application.Status.CONFIRMED and application.fair.status == Fair.Status.CLOSED
    )


def cooperative_list(*, q: str = "", province=None, base: QuerySet | None = None) -> QuerySet:
    """Cooperatives with ``member_count`` and ``women_count``."""
    cooperatives = (base if base is not None else Cooperative.objects.all()).select_related("province")
    q = q.strip()
    if q:
        cooperatives = cooperatives.filter(
            Q(name__icontains=q) | Q(name_ar__icontains=q) | Q(registration_number__icontains=q)
        )
    if province is not None:
        cooperatives = cooperatives.filter(province=province)
    return cooperatives.annotate(
        member_count=Count("members"),
        women_count=Count("members", filter=Q(members__gender=Artisan.Gender.FEMALE)),
    ).order_by("name", "pk")


def crafts_grouped(crafts: Iterable[CraftCategory]) -> list[tuple[CraftCategory, list[CraftCategory]]]:
    """Crafts (with ``parent`` loaded) under their sector, in reference order."""
    groups: dict[int, tuple[CraftCategory, list[CraftCategory]]] = {}
    for craft in crafts:
        sector = craft.parent if craft.parent_id else craft
        groups.setdefault(sector.pk, (sector, []))[1].append(craft)
    return list(groups.values())
