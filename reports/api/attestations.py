"""Placeholder: filled in by its area."""

urlpatterns = []
