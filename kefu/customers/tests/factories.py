import factory

from kefu.customers.models import (
    Asset,
    Contact,
    ContactIdentity,
    ContactMembership,
    Organization,
    OrganizationTier,
    Product,
    Site,
    TimelineEvent,
)


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationTier
        django_get_or_create = ("key",)

    key = "gold"
    name = "Gold"
    name_zh_hans = "金牌"
    rank = 2


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"上海示例科技有限公司 {n}")
    alt_name = factory.Sequence(lambda n: f"Shanghai Example Tech {n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"浦东门店 {n}")
    city = "上海"
    region = "上海市"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True  # the hook writes a membership, not the contact

    name = factory.Sequence(lambda n: f"张伟{n}")
    primary_organization = factory.SubFactory(OrganizationFactory)

    @factory.post_generation
    def membership(obj, create, extracted, **kwargs):
        if create and obj.primary_organization_id:
            ContactMembership.objects.get_or_create(
                contact=obj,
                organization_id=obj.primary_organization_id,
                defaults={"is_primary": True},
            )


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactIdentity

    contact = factory.SubFactory(ContactFactory)
    kind = "email"
    value = factory.Sequence(lambda n: f"person{n}@example.cn")
    normalized = factory.LazyAttribute(lambda o: o.value.lower())


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"POS 终端 {n}")
    category = "hardware"


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    product = factory.SubFactory(ProductFactory)
    organization = factory.SubFactory(OrganizationFactory)
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")


class TimelineEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEvent

    kind = "note"
    title = factory.Sequence(lambda n: f"备注 {n}")
    occurred_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)
    organization = factory.SubFactory(OrganizationFactory)
