"""Pages: imports (being built)."""

urlpatterns = []
