from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django_q.tasks import async_task

from . import jobs
from .models import Backbone, Template, Tune, TuneEvent, TuneMetric


class BackboneForm(forms.ModelForm):
    class Meta:
        model = Backbone
        fields = [
            "name",
            "registry_name",
            "family",
            "description",
            "native_bands",
            "parameter_count",
            "hub_repo_id",
            "hub_filename",
            "weights_path",
        ]

    def clean_weights_path(self) -> str:
        # Only the form of the path here: the file lives where tunes train,
        # maybe another machine, and the worker that checks it runs there.
        path = self.cleaned_data["weights_path"].strip()
        if path and not Path(path).is_absolute():
            raise forms.ValidationError("Give the absolute path of the file.")
        return path


@admin.register(Backbone)
class BackboneAdmin(admin.ModelAdmin):
    form = BackboneForm
    list_display = [
        "name",
        "family",
        "registry_name",
        "parameter_count",
        "weights_path",
        "weights_tensors_matched",
    ]
    list_filter = ["family"]
    search_fields = ["name", "registry_name", "description"]
    readonly_fields = [
        "weights_tensors_matched",
        "weights_tensors_total",
        "weights_checked",
        "weights_check_message",
    ]

    def save_model(self, request, obj: Backbone, form, change: bool) -> None:
        if "weights_path" in form.changed_data:
            obj.weights_tensors_matched = None
            obj.weights_tensors_total = None
            obj.weights_checked = None
            obj.weights_check_message = "Checking the file…" if obj.weights_path else ""
        super().save_model(request, obj, form, change)
        if "weights_path" in form.changed_data and obj.weights_path:
            transaction.on_commit(
                lambda: async_task(
                    "tunes.weights.check_registered",
                    obj.pk,
                    task_name=f"check-weights-{obj.pk}",
                    cluster=settings.TUNE_QUEUE,
                )
            )
            messages.info(
                request,
                f"The worker checks that {obj.weights_path} loads into {obj.name}; "
                "reload this page to see how many tensors it filled.",
            )


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
        self.message_user(request, f"{_tunes(count)} cancelled.", messages.SUCCESS)

    @admin.action(description="Retry the selected failed or cancelled tunes")
    def retry(self, request, queryset):
        with transaction.atomic():
            count = sum(jobs.retry_tune(tune) for tune in queryset)
        self.message_user(request, f"{_tunes(count)} queued again.", messages.SUCCESS)

    @admin.action(description="Share the selected tunes with every user")
    def mark_shared(self, request, queryset):
        count = queryset.update(shared=True)
        self.message_user(request, f"{_tunes(count)} shared.", messages.SUCCESS)

    @admin.action(description="Make the selected tunes private to their owner")
    def mark_private(self, request, queryset):
        count = queryset.update(shared=False)
        self.message_user(request, f"{_tunes(count)} made private.", messages.SUCCESS)


def _tunes(count: int) -> str:
    return f"{count} tune" if count == 1 else f"{count} tunes"
