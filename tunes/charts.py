"""Plotly figures of a tune's metrics per epoch."""

import json
from collections import defaultdict

import plotly.graph_objects as go

from .models import Template, Tune

# The metrics charted for each task type, by the name TerraTorch logs them
# under, with the title a person reads.
CHARTED = {
    Template.TaskType.SEGMENTATION: [
        ("loss", "Loss"),
        ("mIoU", "Mean IoU"),
        ("Accuracy", "Mean class accuracy"),
        ("Pixel_Accuracy", "Pixel accuracy"),
    ],
    Template.TaskType.REGRESSION: [
        ("loss", "Loss"),
        ("RMSE", "RMSE"),
        ("MAE", "MAE"),
    ],
}
SPLIT_NAMES = {"train": "Train", "val": "Validation"}


def epoch_charts(tune: Tune) -> list[dict[str, str]]:
    """One chart a metric, train and validation as two lines; JSON for plotly.js."""
    series: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for epoch, split, name, value in tune.metrics.exclude(split="test").values_list(
        "epoch", "split", "name", "value"
    ):
        series[(split, name)].append((epoch + 1, value))

    result = []
    for name, title in CHARTED[tune.template.task_type]:
        figure = go.Figure()
        for split, label in SPLIT_NAMES.items():
            points = sorted(series.get((split, name), []))
            if points:
                figure.add_trace(
                    go.Scatter(
                        x=[epoch for epoch, _ in points],
                        y=[value for _, value in points],
                        mode="lines+markers",
                        name=label,
                    )
                )
        last_epoch = max((x for trace in figure.data for x in trace.x), default=1)
        figure.update_layout(
            title=title,
            xaxis_title="Epoch",
            # Whole epochs only: plotly would put ticks at 1.5 on a short run.
            xaxis={"tick0": 1, "dtick": max(1, last_epoch // 10)},
            margin={"l": 50, "r": 20, "t": 40, "b": 40},
            legend={"orientation": "h", "y": -0.25},
            template="plotly_white",
        )
        result.append(
            {
                "name": name,
                "title": title,
                "has_data": bool(figure.data),
                "figure": json.dumps(figure.to_plotly_json(), default=str),
            }
        )
    return result
