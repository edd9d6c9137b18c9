from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import effective_scopes, post_ids


class MeApi(APIView):
    """Who the caller is: user, role, agency, scopes and the posts whose data it may see."""

    required_scopes = {"GET": ()}

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        role = serializers.CharField()
        agency = serializers.CharField(allow_null=True)
        scopes = serializers.ListField(child=serializers.CharField())
        posts = serializers.ListField(child=serializers.CharField(), allow_null=True)
        token_expires_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(tags=["accounts"], responses=OutputSerializer)
    def get(self, request):
        user = request.user
        allowed = post_ids(user)
        posts = None if allowed is None else list(user.posts.order_by("code").values_list("code", flat=True))
        data = {
            "username": user.get_username(),
            "role": user.role,
            "agency": user.agency.code if user.agency_id else None,
            "scopes": sorted(effective_scopes(user, request.auth)),
            "posts": posts,
            "token_expires_at": getattr(request.auth, "expires_at", None),
        }
        return Response(self.OutputSerializer(data).data)
