import factory

from core.models import Booth, BorderPost, PostKind


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
