"""Reads for jury review and the staff decision board: scores, spread, first-timers, quotas.

Every list here is one query, whatever its length: scores are aggregated in SQL, and whether
an artisan is a first-timer is an ``EXISTS`` subquery, never a query per row.
"""

from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, F, FloatField, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Sqrt
from django.utils.translation import gettext_lazy as _

from fairs.models import Fair
from registrations.models import LANGUAGE_CHOICES, Application, Artisan, Review

S = Application.Status

# Which applications the jury scores, and while the fair is in which status
# (the same rule as ``services.review_save``).
REVIEWABLE_STATUSES = (S.SUBMITTED, S.WAITLISTED)
REVIEW_FAIR_STATUSES = (Fair.Status.OPEN, Fair.Status.REVIEWING)
# Where a place counts against capacity and towards the quotas (``services.HOLDS_A_PLACE``).
SELECTED_STATUSES = (S.ACCEPTED, S.CONFIRMED)

BOARD_ORDERS = {
    "score": (F("score_mean").desc(nulls_last=True), "submitted_at", "pk"),
    "reviews": ("review_count", "submitted_at", "pk"),
    "spread": (F("score_spread").desc(nulls_last=True), "pk"),
    "name": ("artisan__last_name", "artisan__first_name", "pk"),
    "submitted": ("submitted_at", "pk"),
    "waitlist": (F("waitlist_rank").asc(nulls_last=True), "pk"),
}


def is_first_timer():
    """True when the artisan has no confirmed place at a fair that started before this one."""
    earlier = Application.objects.filter(
        artisan=OuterRef("artisan"),
        status=S.CONFIRMED,
        fair__starts_on__lt=OuterRef("fair__starts_on"),
    )
    return ~Exists(earlier)


def population_stddev(field: str):
    """σ = √(mean of squares − square of mean), in SQL.

    Not ``StdDev``: on SQLite Django computes it in Python and fails on an application
    without reviews (a NULL from the outer join, or no row at all). With whole-number
    scores the difference is exactly 0 when all scores agree, so it is never negative.
    """
    value = Cast(field, FloatField())
    return Sqrt(Avg(value * value) - Avg(value) * Avg(value))


def with_scores(applications: QuerySet) -> QuerySet:
    """Annotate each application with its number of reviews, mean score and spread.

    The spread is the population standard deviation (every reviewer counts, none is a
    sample), with the lowest and highest score for people who read ranges more easily.
    """
    return applications.annotate(
        review_count=Count("reviews"),
        score_mean=Avg("reviews__score"),
        score_spread=population_stddev("reviews__score"),
        score_low=Min("reviews__score"),
        score_high=Max("reviews__score"),
    )


# --- Reviewers --------------------------------------------------------------------------


def review_fairs(user) -> QuerySet:
    """Fairs whose applications the jury scores now, with ``to_score`` and how many of
    them ``user`` has ``scored``."""
    # Nobody scores their own application (a reviewer may also be an artisan).
    reviewable = Q(applications__status__in=REVIEWABLE_STATUSES) & ~Q(applications__artisan__user=user)
    return (
        Fair.objects.filter(status__in=REVIEW_FAIR_STATUSES)
        .select_related("venue")
        .annotate(
            to_score=Count("applications", filter=reviewable, distinct=True),
            scored=Count(
                "applications__reviews",
                filter=reviewable & Q(applications__reviews__reviewer=user),
                distinct=True,
            ),
        )
        .filter(to_score__gt=0)
        .order_by("applications_close_at", "starts_on", "pk")
    )


def review_list(fair: Fair, user, *, staff: bool = False) -> QuerySet:
    """The applications of ``fair`` the jury scores, each with ``my_score`` (``user``'s).

    Staff also get every reviewer's figures (``with_scores``); a reviewer does not, so the
    first scores cannot anchor the next ones.
    """
    mine = Review.objects.filter(application=OuterRef("pk"), reviewer=user)
    applications = (
        Application.objects.filter(fair=fair, status__in=REVIEWABLE_STATUSES)
        .exclude(artisan__user=user)
        .select_related("artisan", "artisan__main_craft", "artisan__province", "artisan__cooperative")
        .annotate(my_score=Subquery(mine.values("score")[:1]))
        .order_by("submitted_at", "pk")
    )
    if staff:
        applications = with_scores(applications)
    return applications


def next_to_score(fair: Fair, user, *, after: Application | None = None) -> Application | None:
    """The next application ``user`` has not scored yet (the one after ``after`` first)."""
    todo = review_list(fair, user).filter(my_score__isnull=True)
    if after is not None:
        todo = todo.exclude(pk=after.pk)
        later = todo.filter(
            Q(submitted_at__gt=after.submitted_at) | Q(submitted_at=after.submitted_at, pk__gt=after.pk)
        )
        return later.first() or todo.first()
    return todo.first()


def application_for_review(pk: int) -> Application:
    """One application with everything its review page shows (raises ``DoesNotExist``)."""
    return (
        Application.objects.select_related(
            "fair",
            "preferred_sector",
            "artisan",
            "artisan__main_craft",
            "artisan__main_craft__parent",
            "artisan__province",
            "artisan__cooperative",
        )
        .prefetch_related("photos", "artisan__product_photos", "artisan__other_crafts")
        .get(pk=pk)
    )


def score_summary(application: Application) -> dict:
    """Count, mean and spread of one application's reviews (for its staff page)."""
    return Review.objects.filter(application=application).aggregate(
        review_count=Count("pk"),
        score_mean=Avg("score"),
        score_spread=population_stddev("score"),
        score_low=Min("score"),
        score_high=Max("score"),
    )


def language_labels(codes) -> list[str]:
    labels = dict(LANGUAGE_CHOICES)
    return [str(labels.get(code, code)) for code in codes or ()]


# --- Staff decision board ---------------------------------------------------------------


def decision_board(fair: Fair, *, status: str = "", order: str = "score") -> QuerySet:
    """Every application of ``fair`` (drafts only when asked for) with scores, spread and
    ``first_timer``, best mean score first by default."""
    applications = Application.objects.filter(fair=fair).select_related(
        "artisan", "artisan__main_craft", "artisan__province"
    )
    applications = applications.filter(status=status) if status else applications.exclude(status=S.DRAFT)
    applications = with_scores(applications).annotate(first_timer=is_first_timer())
    return applications.order_by(*BOARD_ORDERS.get(order, BOARD_ORDERS["score"]))


def status_counts(fair: Fair) -> dict[str, int]:
    rows = Application.objects.filter(fair=fair).values_list("status").annotate(n=Count("pk")).order_by()
    return dict(rows)


@dataclass(frozen=True)
class Share:
    """One quota: how many of the selected artisans count, against the fair's target."""

    key: str
    label: str
    count: int
    total: int
    target: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.total) if self.total else None

    @property
    def met(self) -> bool:
        return self.percent is not None and self.percent >= self.target


@dataclass(frozen=True)
class QuotaPanel:
    capacity: int
    taken: int
    shares: list[Share]

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def over_capacity(self) -> bool:
        return self.taken > self.capacity


QUOTA_LABELS = {
    "women": _("Women"),
    "rural": _("Rural"),
    "first_timers": _("First-timers"),
}


def fair_quotas(fair: Fair, *, also_selecting=()) -> tuple[QuotaPanel, QuotaPanel | None]:
    """The quotas among accepted and confirmed applications now, and what they would be if
    the applications ``also_selecting`` (primary keys) were accepted too. One query."""
    extra = list(also_selecting)
    now = Q(status__in=SELECTED_STATUSES)
    preview = now | Q(pk__in=extra)
    woman, rural, first = (
        Q(artisan__gender=Artisan.Gender.FEMALE),
        Q(artisan__area=Artisan.Area.RURAL),
        Q(first_timer=True),
    )
    figures = (
        Application.objects.filter(fair=fair)
        .annotate(first_timer=is_first_timer())
        .aggregate(
            taken=Count("pk", filter=now),
            women=Count("pk", filter=now & woman),
            rural=Count("pk", filter=now & rural),
            first_timers=Count("pk", filter=now & first),
            p_taken=Count("pk", filter=preview),
            p_women=Count("pk", filter=preview & woman),
            p_rural=Count("pk", filter=preview & rural),
            p_first_timers=Count("pk", filter=preview & first),
        )
    )
    targets = {"women": fair.quota_women, "rural": fair.quota_rural, "first_timers": fair.quota_first_timers}

    def panel(prefix: str) -> QuotaPanel:
        total = figures[f"{prefix}taken"]
        shares = [
            Share(
                key=key, label=str(label), count=figures[f"{prefix}{key}"], total=total, target=targets[key]
            )
            for key, label in QUOTA_LABELS.items()
        ]
        return QuotaPanel(capacity=fair.capacity, taken=total, shares=shares)

    return panel(""), (panel("p_") if extra else None)
