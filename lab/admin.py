from django.contrib import admin

from .models import InferenceRun, Scene


@admin.register(Scene)
class SceneAdmin(admin.ModelAdmin):
    list_display = ["name", "collection", "acquired", "acquired_is_placeholder", "crs"]
    list_filter = ["collection", "acquired_is_placeholder"]
    search_fields = ["name", "path"]


@admin.register(InferenceRun)
class InferenceRunAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "tune_name", "source", "status", "created"]
    list_filter = ["status", "source"]
    search_fields = ["name", "tune_name", "owner__username"]
    raw_id_fields = ["tune"]
    readonly_fields = ["created", "started", "finished"]
