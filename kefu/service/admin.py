"""Configuration screens for administrators (Django admin): queues, lifecycles, categories,
the priority matrix, canned responses, routing rules, agents' profiles and skills.

Tickets themselves are worked in the agent workspace and the API, never edited here.
"""

from django.contrib import admin

from kefu.service import models as m


class StatusInline(admin.TabularInline):
    model = m.Status
    extra = 0
    fields = ("key", "name", "name_zh_hans", "category", "order", "is_initial", "color")


class TransitionInline(admin.TabularInline):
    model = m.StatusTransition
    extra = 0
    fk_name = "lifecycle"


@admin.register(m.Lifecycle)
class LifecycleAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "name_zh_hans")
    inlines = [StatusInline, TransitionInline]


class MembershipInline(admin.TabularInline):
    model = m.QueueMembership
    extra = 0
    fields = ("user", "is_supervisor", "last_assigned_at")
    readonly_fields = ("last_assigned_at",)
    raw_id_fields = ("user",)


@admin.register(m.Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "name_zh_hans", "assignment_mode", "second_line", "is_default")
    list_filter = ("assignment_mode", "is_active")
    inlines = [MembershipInline]


@admin.register(m.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "name_zh_hans", "parent", "order", "is_active")
    search_fields = ("key", "name", "name_zh_hans")


@admin.register(m.PriorityMatrixEntry)
class PriorityMatrixAdmin(admin.ModelAdmin):
    list_display = ("impact", "urgency", "priority")
    list_editable = ("priority",)


@admin.register(m.CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "queue", "is_active")
    search_fields = ("title", "body", "body_zh_hans")


@admin.register(m.RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "order", "queue", "is_active")
    list_editable = ("order", "is_active")


@admin.register(m.AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "availability", "capacity")
    list_filter = ("availability",)
    raw_id_fields = ("user",)


@admin.register(m.AgentSkill)
class AgentSkillAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "key", "proficiency")
    list_filter = ("kind",)
    search_fields = ("key",)
    raw_id_fields = ("user",)
