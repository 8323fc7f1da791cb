"""Pages: plan (being built)."""

urlpatterns = []
