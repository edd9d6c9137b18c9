import factory

from core.models import Booth, BorderPost, PostKind, Sector


class BorderPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BorderPost
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Post {o.code}")
    kind = PostKind.LAND
    country = "IRQ"
    neighbour_country = "TUR"


class BoothFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booth
        django_get_or_create = ("post", "code")

    post = factory.SubFactory(BorderPostFactory)
    code = factory.Sequence(lambda n: f"B{n}")
    name = factory.LazyAttribute(lambda o: f"Booth {o.code}")


class SectorFactory(factory.django.DjangoModelFactory):
    """A sector along a straight stretch of border, 3 km buffer either side."""

    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    post = factory.SubFactory(BorderPostFactory)
    code = factory.Sequence(lambda n: f"S{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Sector {o.code}")
    geometry = factory.LazyFunction(lambda: {"type": "LineString", "coordinates": [[45.90, 33.60], [46.10, 33.40]]})
    buffer_m = 3000
