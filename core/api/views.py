from drf_spectacular.utils import extend_schema
from rest_framework import viewsets

from core.api.serializers import BorderPostSerializer
from core.filters import BorderPostFilter
from core.models import BorderPost

# Reference data: anyone who may read movements, inspections or statistics may read the posts.
_POST_READERS = ("movements:read",)


@extend_schema(tags=["border posts"])
class BorderPostViewSet(viewsets.ReadOnlyModelViewSet):
    """Border posts (airports, land crossings, seaports, green-border sectors) and their booths,
    limited to the posts the caller may see."""

    serializer_class = BorderPostSerializer
    filterset_class = BorderPostFilter
    required_scopes = {"list": _POST_READERS, "retrieve": _POST_READERS}

    def get_queryset(self):
        return BorderPost.objects.restrict(self.request.user, "view").prefetch_related("booths")
