from django.contrib import admin, messages
from django.db import transaction

from .jobs import CannotOnboard, queue_reonboarding
from .models import Band, Chip, Dataset, LabelCategory


class BandInline(admin.TabularInline):
    model = Band
    extra = 0
    readonly_fields = ["mean", "std"]


class LabelCategoryInline(admin.TabularInline):
    model = LabelCategory
    extra = 0


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "owner",
        "shared",
        "task_type",
        "status",
        "chip_height",
        "chip_width",
        "created",
        "onboarded",
    ]
    list_filter = ["status", "task_type", "shared"]
    search_fields = ["name", "description", "owner__username"]
    list_select_related = ["owner"]
    readonly_fields = ["created", "onboarded", "chip_height", "chip_width"]
    inlines = [BandInline, LabelCategoryInline]
    actions = ["onboard_again"]

    @admin.action(description="Onboard the selected datasets again")
    def onboard_again(self, request, queryset):
        for dataset in queryset:
            try:
                with transaction.atomic():
                    queue_reonboarding(dataset)
            except CannotOnboard as exc:
                self.message_user(request, f"Not onboarded: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{dataset.name}: onboarding queued.")


@admin.register(Chip)
class ChipAdmin(admin.ModelAdmin):
    list_display = ["chip_id", "dataset", "split", "warning"]
    list_filter = ["split", "dataset"]
    search_fields = ["chip_id", "warning", "dataset__name"]
    list_select_related = ["dataset"]
