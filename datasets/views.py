from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Dataset


@require_GET
def list_datasets(request):
    datasets = Dataset.objects.visible_to(request.user)
    return render(request, "datasets/list_datasets.html", {"datasets": datasets})
