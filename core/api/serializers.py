from rest_framework import serializers

from core.models import Booth, BorderPost


class BoothSerializer(serializers.ModelSerializer):
    class Meta:
        model = Booth
        fields = ["id", "code", "name", "kind", "direction", "is_active"]


class BorderPostSerializer(serializers.ModelSerializer):
    booths = BoothSerializer(many=True, read_only=True)

    class Meta:
        model = BorderPost
        fields = [
            "id", "code", "name", "name_local", "kind", "country", "neighbour_country",
            "latitude", "longitude", "is_active", "booths",
        ]
