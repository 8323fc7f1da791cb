"""Pages: self_service (being built)."""

urlpatterns = []
