from django.contrib import admin, messages
from django.db import transaction

from . import jobs
from .models import Backbone, Template, Tune, TuneEvent, TuneMetric


@admin.register(Backbone)
class BackboneAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "family",
        "registry_name",
        "parameter_count",
        "weights_path",
    ]
    list_filter = ["family"]
    search_fields = ["name", "registry_name", "description"]


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "task_type", "families"]
    list_filter = ["task_type"]
    search_fields = ["name", "slug"]


class TuneMetricInline(admin.TabularInline):
    model = TuneMetric
    extra = 0
    readonly_fields = ["epoch", "split", "name", "value"]
    can_delete = False


class TuneEventInline(admin.TabularInline):
    model = TuneEvent
    extra = 0
    readonly_fields = ["created", "status", "message"]
    can_delete = False


@admin.register(Tune)
class TuneAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "owner",
        "status",
        "template",
        "backbone",
        "dataset",
        "epoch",
        "max_epochs",
        "shared",
        "created",
    ]
    list_filter = ["status", "template", "backbone__family", "shared"]
    search_fields = ["name", "description", "owner__username", "status_message"]
    list_select_related = ["owner", "template", "backbone", "dataset"]
    readonly_fields = ["created", "started", "finished", "weights_source"]
    inlines = [TuneEventInline, TuneMetricInline]
    date_hierarchy = "created"
    actions = ["cancel", "retry", "mark_shared", "mark_private"]

    @admin.action(description="Cancel the selected tunes")
    def cancel(self, request, queryset):
        count = sum(jobs.cancel_tune(tune) for tune in queryset)
        self.message_user(request, f"{count} tunes cancelled.", messages.SUCCESS)

    @admin.action(description="Retry the selected failed or cancelled tunes")
    def retry(self, request, queryset):
        with transaction.atomic():
            count = sum(jobs.retry_tune(tune) for tune in queryset)
        self.message_user(request, f"{count} tunes queued again.", messages.SUCCESS)

    @admin.action(description="Share the selected tunes with every user")
    def mark_shared(self, request, queryset):
        count = queryset.update(shared=True)
        self.message_user(request, f"{count} tunes shared.", messages.SUCCESS)

    @admin.action(description="Make the selected tunes private to their owner")
    def mark_private(self, request, queryset):
        count = queryset.update(shared=False)
        self.message_user(request, f"{count} tunes made private.", messages.SUCCESS)
