"""factory_boy factories, plain and predictable: no hidden side effects."""

import datetime as dt
from decimal import Decimal

import factory
from django.conf import settings
from django.utils import timezone

from core.models import CraftCategory, Province, User
from fairs.models import Fair, Venue


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.ma")
    password = factory.django.Password("souk-test-pass")
    # The site's default language, so a test that switches it gets users who read it too.
    language = factory.LazyFunction(lambda: settings.LANGUAGE_CODE)


def province(code="settat") -> Province:
    return Province.objects.get(code=code)


def craft(code="pottery") -> CraftCategory:
    return CraftCategory.objects.get(code=code)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Complexe artisanal {n}")
    kind = Venue.Kind.COMPLEX
    province = factory.LazyFunction(province)
    capacity = 80


class FairFactory(factory.django.DjangoModelFactory):
    """A draft local fair two months ahead whose call (a month long) opens tomorrow."""

    class Meta:
        model = Fair

    name = factory.Sequence(lambda n: f"Foire de l'artisanat {n}")
    slug = factory.Sequence(lambda n: f"foire-{n}")
    scope = Fair.Scope.LOCAL
    role = Fair.Role.ORGANIZER
    venue = factory.SubFactory(VenueFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
    ends_on = factory.LazyAttribute(lambda f: f.starts_on + dt.timedelta(days=9))
    applications_open_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    applications_close_at = factory.LazyAttribute(lambda f: f.applications_open_at + dt.timedelta(days=30))
    capacity = 60
    fee = Decimal("500.00")
    status = Fair.Status.DRAFT


# --- registrations ----------------------------------------------------------------------

from registrations.models import Application, Artisan, Cooperative  # noqa: E402


class CooperativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cooperative

    name = factory.Sequence(lambda n: f"Coopérative Al Amal {n}")
    name_ar = factory.Sequence(lambda n: f"تعاونية الأمل {n}")
    registration_number = factory.Sequence(lambda n: f"COOP-{n:05d}")
    province = factory.LazyFunction(province)


class ArtisanFactory(factory.django.DjangoModelFactory):
    """A complete profile (it may apply), without an account unless ``user=`` is given."""

    class Meta:
        model = Artisan

    first_name = "Fatima"
    last_name = factory.Sequence(lambda n: f"Bennani{n}")
    first_name_ar = "فاطمة"
    last_name_ar = "بناني"
    cin = factory.Sequence(lambda n: f"BE{100000 + n}")
    gender = Artisan.Gender.FEMALE
    birth_year = 1980
    phone = factory.Sequence(lambda n: f"+2126{10000000 + n:08d}")
    email = factory.LazyAttribute(lambda a: f"{a.cin.lower()}@example.ma")
    province = factory.LazyFunction(province)
    area = Artisan.Area.RURAL
    main_craft = factory.LazyFunction(craft)
    language = "fr"


def open_fair(**kwargs) -> Fair:
    """A fair whose call is open now."""
    now = timezone.now()
    kwargs.setdefault("status", Fair.Status.OPEN)
    kwargs.setdefault("applications_open_at", now - dt.timedelta(days=2))
    kwargs.setdefault("applications_close_at", now + dt.timedelta(days=10))
    return FairFactory(**kwargs)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application, written straight to the database (no service, no mail)."""

    class Meta:
        model = Application

    artisan = factory.SubFactory(ArtisanFactory)
    fair = factory.LazyFunction(open_fair)
    status = Application.Status.SUBMITTED
    products = "Tajines et plats en terre cuite"
    submitted_at = factory.LazyFunction(timezone.now)


# --- booths -----------------------------------------------------------------------------

from booths.models import Booth, Zone  # noqa: E402


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    fair = factory.SubFactory(FairFactory, status=Fair.Status.ALLOCATING)
    name = factory.Sequence(lambda n: f"Hall {n}")
    colour = "#b5562e"


class BoothFactory(factory.django.DjangoModelFactory):
    """A free 3 × 3 m standard booth, laid out left to right so booths never overlap."""

    class Meta:
        model = Booth

    zone = factory.SubFactory(ZoneFactory)
    fair = factory.LazyAttribute(lambda b: b.zone.fair)
    code = factory.Sequence(lambda n: f"B{n:03d}")
    x = factory.Sequence(lambda n: Decimal(3 * n))
    y = Decimal("0")
