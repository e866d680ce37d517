from django.contrib import admin

from .models import Backbone, Template, Tune, TuneMetric


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
    inlines = [TuneMetricInline]
    date_hierarchy = "created"
