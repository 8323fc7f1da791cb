"""Bench only: Souk's settings unchanged, with the URLs of ``bench.floor.urls`` (Souk's + the floor)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor.urls"
