"""Pages: allocation (being built)."""

urlpatterns = []
