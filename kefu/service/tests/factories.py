import factory

from kefu.service.models import AgentProfile, AgentSkill, Category, Queue, QueueMembership


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")
    name_zh_hans = factory.Sequence(lambda n: f"类别 {n}")


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue

    key = factory.Sequence(lambda n: f"queue-{n}")
    name = factory.Sequence(lambda n: f"Queue {n}")
    name_zh_hans = factory.Sequence(lambda n: f"队列 {n}")
    lifecycle = factory.LazyFunction(
        lambda: __import__("kefu.service.models", fromlist=["Lifecycle"]).Lifecycle.objects.get(
            key="standard"
        )
    )
    assignment_mode = "manual"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QueueMembership

    queue = factory.SubFactory(QueueFactory)


class AgentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentProfile
        django_get_or_create = ("user",)

    availability = "online"
    capacity = 20


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentSkill

    kind = "category"
    proficiency = 3
