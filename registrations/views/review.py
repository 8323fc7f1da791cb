"""Pages: review (being built)."""

urlpatterns = []
