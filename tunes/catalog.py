"""The seed table of the model catalog: backbones and task templates.

``sync_catalog`` writes these rows into the database. It runs from a data
migration, so a fresh database has them, and from ``manage.py seed_catalog``,
so a catalog edited here reaches an existing studio.
"""

from typing import Any

HLS_BANDS = ["BLUE", "GREEN", "RED", "NIR_NARROW", "SWIR_1", "SWIR_2"]
# TerraMind takes each modality through its own patch embedding, so a native
# band is named with its modality: "S2L2A:BLUE". A tune uses one modality.
TERRAMIND_MODALITIES = {
    "S2L2A": ["COASTAL_AEROSOL", "BLUE", "GREEN", "RED", "RED_EDGE_1",
              "RED_EDGE_2", "RED_EDGE_3", "NIR_BROAD", "NIR_NARROW",
              "WATER_VAPOR", "SWIR_1", "SWIR_2"],
    "S2L1C": ["COASTAL_AEROSOL", "BLUE", "GREEN", "RED", "RED_EDGE_1",
              "RED_EDGE_2", "RED_EDGE_3", "NIR_BROAD", "NIR_NARROW",
              "WATER_VAPOR", "CIRRUS", "SWIR_1", "SWIR_2"],
    "S1GRD": ["VV", "VH"],
    "S1RTC": ["VV", "VH"],
}  # fmt: skip
TERRAMIND_BANDS = [
    f"{modality}:{band}"
    for modality, bands in TERRAMIND_MODALITIES.items()
    for band in bands
]
# Clay embeds each band by its wavelength, looked up by these names; a name it
# does not know gets wavelength 0 without a word, hence the mapping.
CLAY_BANDS = ["blue", "green", "red", "rededge1", "rededge2", "rededge3", "nir",
              "nir08", "swir16", "swir22", "vv", "vh"]  # fmt: skip

BACKBONES: list[dict[str, Any]] = [
    {
        "name": "Prithvi_EO_V1_100M",
        "registry_name": "prithvi_eo_v1_100",
        "hub_repo_id": "ibm-nasa-geospatial/Prithvi-EO-1.0-100M",
        "hub_filename": "Prithvi_EO_V1_100M.pt",
        "family": "prithvi",
        "parameter_count": "100M",
        "native_bands": HLS_BANDS,
        "description": "NASA/IBM Prithvi EO 1.0: a ViT-B masked autoencoder "
        "pretrained on Harmonized Landsat Sentinel-2 (HLS) imagery of the US.",
    },
    {
        "name": "Prithvi_EO_V2_300M",
        "registry_name": "prithvi_eo_v2_300",
        "hub_repo_id": "ibm-nasa-geospatial/Prithvi-EO-2.0-300M",
        "hub_filename": "Prithvi_EO_V2_300M.pt",
        "family": "prithvi",
        "parameter_count": "300M",
        "native_bands": HLS_BANDS,
        "description": "Prithvi EO 2.0, ViT-L: pretrained on global HLS time series.",
    },
    {
        "name": "Prithvi_EO_V2_600M",
        "registry_name": "prithvi_eo_v2_600",
        "hub_repo_id": "ibm-nasa-geospatial/Prithvi-EO-2.0-600M",
        "hub_filename": "Prithvi_EO_V2_600M.pt",
        "family": "prithvi",
        "parameter_count": "600M",
        "native_bands": HLS_BANDS,
        "description": "Prithvi EO 2.0, ViT-H: the largest Prithvi, pretrained "
        "on global HLS time series.",
    },
    {
        "name": "Prithvi_EO_V2_600M_TL",
        "registry_name": "prithvi_eo_v2_600_tl",
        "hub_repo_id": "ibm-nasa-geospatial/Prithvi-EO-2.0-600M-TL",
        "hub_filename": "Prithvi_EO_V2_600M_TL.pt",
        "family": "prithvi",
        "parameter_count": "600M",
        "native_bands": HLS_BANDS,
        "description": "Prithvi EO 2.0, ViT-H with temporal and location embeddings.",
    },
    {
        "name": "terramind_v1_base",
        "registry_name": "terramind_v1_base",
        "hub_repo_id": "ibm-esa-geospatial/TerraMind-1.0-base",
        "hub_filename": "TerraMind_v1_base.pt",
        "family": "terramind",
        "parameter_count": "90M",
        "native_bands": TERRAMIND_BANDS,
        "description": "IBM/ESA TerraMind 1.0 base: an any-to-any generative "
        "model pretrained on nine modalities (Sentinel-1, Sentinel-2, DEM, land "
        "cover and more).",
    },
    {
        "name": "terramind_v1_large",
        "registry_name": "terramind_v1_large",
        "hub_repo_id": "ibm-esa-geospatial/TerraMind-1.0-large",
        "hub_filename": "TerraMind_v1_large.pt",
        "family": "terramind",
        "parameter_count": "300M",
        "native_bands": TERRAMIND_BANDS,
        "description": "TerraMind 1.0 large.",
    },
    {
        "name": "clay_v1_base",
        "registry_name": "clay_v1_base",
        "hub_repo_id": "made-with-clay/Clay-legacy",
        "hub_filename": "v1/clay-v1-base.ckpt",
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
            "hub_repo_id": f"timm/resnet{depth}.{tag}",
            "hub_filename": "model.safetensors",
            "family": "resnet",
            "parameter_count": size,
            "native_bands": [],
            "description": f"ResNet-{depth} from timm, a convolutional baseline "
            "that takes any number of bands.",
        }
        # timm's default pretrained tag of each depth.
        for depth, size, tag in [
            (18, "11M", "a1_in1k"),
            (34, "21M", "a1_in1k"),
            (50, "25M", "a1_in1k"),
            (101, "44M", "a1h_in1k"),
            (152, "60M", "a1h_in1k"),
        ]
    ),
    *(
        {
            "name": f"timm_convnext_{size}.fb_in22k",
            # TerraTorch hands the name after "timm_" to timm, which takes the
            # pretrained tag after the dot.
            "registry_name": f"timm_convnext_{size}.fb_in22k",
            "hub_repo_id": f"timm/convnext_{size}.fb_in22k",
            "hub_filename": "model.safetensors",
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
               "chips no larger than this, and every validation and test chip, "
               "are used whole.", min=16, max=4096),
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


# Not "jaccard": TerraTorch's Jaccard loss refuses an ignore index, and every
# studio label marks its no-data pixels with one.
SEGMENTATION_LOSSES = ["ce", "dice", "focal", "lovasz"]
# Not "rmse": TerraTorch takes the root per pixel, whose gradient is NaN at
# every ignored pixel, so one crop without a labelled pixel ruins the weights.
# MSE has the same minimum; RMSE is still reported as a metric.
REGRESSION_LOSSES = ["mse", "mae", "huber"]
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
        "parameters": _common_parameters(REGRESSION_LOSSES, "mse", VIT_DECODERS),
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
