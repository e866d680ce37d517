"""The seed table of the model catalog: backbones and task templates.

``sync_catalog`` writes these rows into the database. It runs from a data
migration, so a fresh database has them, and from ``manage.py seed_catalog``,
so a catalog edited here reaches an existing studio.
"""

from typing import Any

HLS_BANDS = ["BLUE", "GREEN", "RED", "NIR_NARROW", "SWIR_1", "SWIR_2"]
TERRAMIND_S2L2A_BANDS = [
    "COASTAL_AEROSOL", "BLUE", "GREEN", "RED", "RED_EDGE_1", "RED_EDGE_2",
    "RED_EDGE_3", "NIR_BROAD", "NIR_NARROW", "WATER_VAPOR", "SWIR_1", "SWIR_2",
]  # fmt: skip
CLAY_BANDS = ["blue", "green", "red", "rededge1", "rededge2", "rededge3", "nir",
              "nir08", "swir16", "swir22"]  # fmt: skip

BACKBONES: list[dict[str, Any]] = [
    {
        "name": "Prithvi_EO_V1_100M",
        "registry_name": "prithvi_eo_v1_100",
        "family": "prithvi",
        "parameter_count": "100M",
        "native_bands": HLS_BANDS,
        "description": "NASA/IBM Prithvi EO 1.0: a ViT-B masked autoencoder "
        "pretrained on Harmonized Landsat Sentinel-2 (HLS) imagery of the US.",
    },
    {
        "name": "Prithvi_EO_V2_300M",
        "registry_name": "prithvi_eo_v2_300",
        "family": "prithvi",
        "parameter_count": "300M",
        "native_bands": HLS_BANDS,
        "description": "Prithvi EO 2.0, ViT-L: pretrained on global HLS time series.",
    },
    {
        "name": "Prithvi_EO_V2_600M",
        "registry_name": "prithvi_eo_v2_600",
        "family": "prithvi",
        "parameter_count": "600M",
        "native_bands": HLS_BANDS,
        "description": "Prithvi EO 2.0, ViT-H: the largest Prithvi, pretrained "
        "on global HLS time series.",
    },
    {
        "name": "Prithvi_EO_V2_600M_TL",
        "registry_name": "prithvi_eo_v2_600_tl",
        "family": "prithvi",
        "parameter_count": "600M",
        "native_bands": HLS_BANDS,
        "description": "Prithvi EO 2.0, ViT-H with temporal and location embeddings.",
    },
    {
        "name": "terramind_v1_base",
        "registry_name": "terramind_v1_base",
        "family": "terramind",
        "parameter_count": "90M",
        "native_bands": TERRAMIND_S2L2A_BANDS,
        "description": "IBM/ESA TerraMind 1.0 base: an any-to-any generative "
        "model pretrained on nine modalities (Sentinel-1, Sentinel-2, DEM, land "
        "cover and more).",
    },
    {
        "name": "terramind_v1_large",
        "registry_name": "terramind_v1_large",
        "family": "terramind",
        "parameter_count": "300M",
        "native_bands": TERRAMIND_S2L2A_BANDS,
        "description": "TerraMind 1.0 large.",
    },
    {
        "name": "clay_v1_base",
        "registry_name": "clay_v1_base",
        "family": "clay",
        "parameter_count": "100M",
        "native_bands": CLAY_BANDS,
        "description": "Clay Foundation Model v1: a ViT masked autoencoder for "
        "any sensor, with band wavelengths as input.",
    },
    *(
        {
            "name": f"timm_resnet{depth}",
            "registry_name": f"timm_resnet{depth}",
            "family": "resnet",
            "parameter_count": size,
            "native_bands": [],
            "description": f"ResNet-{depth} from timm, a convolutional baseline "
            "that takes any number of bands.",
        }
        for depth, size in [
            (18, "11M"),
            (34, "21M"),
            (50, "25M"),
            (101, "44M"),
            (152, "60M"),
        ]
    ),
    *(
        {
            "name": f"timm_convnext_{size}.fb_in22k",
            "registry_name": f"timm_convnext_{size}.fb_in22k",
            "family": "convnext",
            "parameter_count": count,
            "native_bands": [],
            "description": f"ConvNeXt {size} from timm (ImageNet-22k), a modern "
            "convolutional backbone that takes any number of bands.",
        }
        for size, count in [("large", "198M"), ("xlarge", "350M")]
    ),
]


def _param(name, label, tab, type_, default, help_, **extra) -> dict[str, Any]:
    return {
        "name": name,
        "label": label,
        "tab": tab,
        "type": type_,
        "default": default,
        "help": help_,
        **extra,
    }


def _common_parameters(losses: list[str], default_loss: str, decoders: list[str]):
    return [
        _param("batch_size", "Batch size", "data", "int", 4,
               "Chips per training step.", min=1, max=512),
        _param("crop_size", "Crop size", "data", "int", 256,
               "Training chips are cropped at random to this many pixels a side; "
               "validation and test use whole chips.", min=16, max=4096),
        _param("flip", "Random flips", "data", "bool", True,
               "Flip training chips horizontally and vertically at random."),
        _param("num_workers", "Data loader workers", "data", "int", 0,
               "Processes reading chips in parallel; 0 reads in the trainer.",
               min=0, max=32),
        _param("decoder", "Decoder", "model", "choice", decoders[0],
               "The head that turns backbone features into pixels.",
               choices=decoders),
        _param("freeze_backbone", "Freeze backbone", "model", "bool", False,
               "Train only the decoder and head; faster, needs pretrained weights."),
        _param("loss", "Loss", "model", "choice", default_loss,
               "What training minimises.", choices=losses),
        _param("optimizer", "Optimizer", "optimizer", "choice", "AdamW",
               "The torch optimizer.", choices=["AdamW", "Adam", "SGD"]),
        _param("lr", "Learning rate", "optimizer", "float", 1e-4,
               "Step size of the optimizer.", min=1e-7, max=1.0),
        _param("weight_decay", "Weight decay", "optimizer", "float", 0.05,
               "L2 penalty on the weights.", min=0.0, max=1.0),
        _param("scheduler", "Learning rate schedule", "optimizer", "choice",
               "ReduceLROnPlateau",
               "How the learning rate changes as training goes on.",
               choices=["none", "ReduceLROnPlateau", "CosineAnnealingLR"]),
        _param("max_epochs", "Epochs", "runner", "int", 20,
               "Passes over the training chips.", min=1, max=1000),
        _param("early_stopping_patience", "Early stopping patience", "runner",
               "int", 0, "Stop after this many epochs without a better "
               "validation loss; 0 never stops early.", min=0, max=1000),
        _param("seed", "Random seed", "runner", "int", 0,
               "Makes a tune repeatable.", min=0, max=2**31 - 1),
        _param("precision", "Precision", "runner", "choice", "32-true",
               "Numeric precision of training; mixed precision needs a GPU.",
               choices=["32-true", "16-mixed", "bf16-mixed"]),
    ]  # fmt: skip


SEGMENTATION_LOSSES = ["ce", "dice", "focal", "jaccard", "lovasz"]
REGRESSION_LOSSES = ["rmse", "mse", "mae", "huber"]
VIT_DECODERS = ["UperNetDecoder", "UNetDecoder", "FCNDecoder"]
CNN_DECODERS = ["UNetDecoder", "FCNDecoder"]

TEMPLATES: list[dict[str, Any]] = [
    {
        "slug": "segmentation",
        "name": "Segmentation",
        "task_type": "segmentation",
        "families": ["prithvi"],
        "description": "Pixel-wise classification into the dataset's label "
        "categories, with a Prithvi backbone.",
        "parameters": _common_parameters(SEGMENTATION_LOSSES, "ce", VIT_DECODERS),
    },
    {
        "slug": "regression",
        "name": "Regression",
        "task_type": "regression",
        "families": ["prithvi"],
        "description": "A continuous value per pixel (biomass, canopy height), "
        "with a Prithvi backbone.",
        "parameters": _common_parameters(REGRESSION_LOSSES, "rmse", VIT_DECODERS),
    },
    {
        "slug": "terramind-segmentation",
        "name": "terramind: Segmentation",
        "task_type": "segmentation",
        "families": ["terramind"],
        "description": "Segmentation with a TerraMind encoder.",
        "parameters": _common_parameters(SEGMENTATION_LOSSES, "ce", VIT_DECODERS),
    },
    {
        "slug": "clay-segmentation",
        "name": "clay_v1: Segmentation",
        "task_type": "segmentation",
        "families": ["clay"],
        "description": "Segmentation with the Clay v1 encoder.",
        "parameters": _common_parameters(SEGMENTATION_LOSSES, "ce", VIT_DECODERS),
    },
    {
        "slug": "resnet-segmentation",
        "name": "timm_resnet: Segmentation",
        "task_type": "segmentation",
        "families": ["resnet"],
        "description": "Segmentation with a ResNet encoder and a U-Net decoder.",
        "parameters": _common_parameters(SEGMENTATION_LOSSES, "ce", CNN_DECODERS),
    },
    {
        "slug": "convnext-segmentation",
        "name": "timm_convnext: Segmentation",
        "task_type": "segmentation",
        "families": ["convnext"],
        "description": "Segmentation with a ConvNeXt encoder and a U-Net decoder.",
        "parameters": _common_parameters(SEGMENTATION_LOSSES, "ce", CNN_DECODERS),
    },
]


def sync_catalog(backbone_model, template_model) -> tuple[int, int]:
    """Create or update every seed row; returns how many of each there are.

    Takes the model classes so that a migration can pass its historical ones.
    """
    for row in BACKBONES:
        backbone_model.objects.update_or_create(
            name=row["name"], defaults={k: v for k, v in row.items() if k != "name"}
        )
    for row in TEMPLATES:
        template_model.objects.update_or_create(
            slug=row["slug"], defaults={k: v for k, v in row.items() if k != "slug"}
        )
    return len(BACKBONES), len(TEMPLATES)
