from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def show_lab(request):
    return render(request, "lab/show_lab.html")
