"""Reads of fairs that web, API and PDFs share, with their joins in one place."""

from django.db.models import Q, QuerySet

from fairs.models import Fair


def fair_list(
    *,
    q: str = "",
    year: int | None = None,
    scope: str = "",
    status: str = "",
    province=None,
    base: QuerySet | None = None,
) -> QuerySet:
    fairs = (base if base is not None else Fair.objects.all()).select_related("venue", "venue__province")
    if q:
        fairs = fairs.filter(
            Q(name__icontains=q)
            | Q(name_ar__icontains=q)
            | Q(city__icontains=q)
            | Q(venue__name__icontains=q)
        )
    if year:
        fairs = fairs.filter(starts_on__year=year)
    if scope:
        fairs = fairs.filter(scope=scope)
    if status:
        fairs = fairs.filter(status=status)
    if province is not None:
        fairs = fairs.filter(venue__province=province)
    return fairs


def fair_years() -> list[int]:
    return sorted({d.year for d in Fair.objects.dates("starts_on", "year")}, reverse=True)


def fair_timeline(fairs: QuerySet) -> list[tuple[int, list[Fair]]]:
    """Fairs grouped by year, newest year first, each year in date order."""
    by_year: dict[int, list[Fair]] = {}
    for fair in fairs.order_by("starts_on"):
        by_year.setdefault(fair.starts_on.year, []).append(fair)
    return sorted(by_year.items(), reverse=True)
