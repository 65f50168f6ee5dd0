import factory
from django.contrib.auth.models import Group

from accounts.models import Correspondence, CustomerType, User

PASSWORD = "correct-horse-battery-staple"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"customer{n}")
    full_name = factory.Faker("name", locale="en_GB")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.co.uk")
    phone = "01622 000000"
    address = "1 Test Street\nMaidstone\nKent"
    postcode = "ME14 1AA"
    customer_type = CustomerType.RESIDENTIAL
    correspondence = Correspondence.EMAIL
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(CustomerFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@121com.co.uk")
    is_staff = True

    @factory.post_generation
    def group(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(Group.objects.get(name=extracted))
