from django import template

from lab.models import InferenceRun

register = template.Library()


@register.simple_tag(takes_context=True)
def tune_history(context, tune) -> dict:
    """The signed-in person's inference runs of a tune, newest first."""
    user = context["request"].user
    runs = list(InferenceRun.objects.owned_by(user).filter(tune=tune))
    return {"runs": runs, "unfinished": any(not run.is_final for run in runs)}


@register.filter
def area(run: InferenceRun) -> str:
    if not run.has_area:
        return "—"
    return ", ".join(f"{value:.4f}" for value in run.bbox)


@register.filter
def dates(run: InferenceRun) -> str:
    if run.start_date is None:
        return "uploaded file" if run.source == InferenceRun.Source.UPLOAD else "—"
    return f"{run.start_date:%Y-%m-%d} to {run.end_date:%Y-%m-%d}"
