import factory

from accounts.models import Agency, User
from accounts.permissions import Role

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG{n}")
    name = factory.LazyAttribute(lambda o: f"Agency {o.code}")
    kind = "border"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OFFICER
    agency = factory.SubFactory(AgencyFactory, code="BPD", kind="border")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def posts(self, create, extracted, **kwargs):
        self.save()
        if create and extracted:
            self.posts.set(extracted)
