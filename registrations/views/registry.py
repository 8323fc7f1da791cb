"""Pages: registry (being built)."""

urlpatterns = []
