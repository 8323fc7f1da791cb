"""factory_boy factories, plain and predictable: no hidden side effects."""

import datetime as dt
from decimal import Decimal

import factory
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
    language = "fr"


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
