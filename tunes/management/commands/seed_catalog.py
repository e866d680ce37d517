from django.core.management.base import BaseCommand

from tunes.catalog import sync_catalog
from tunes.models import Backbone, Template


class Command(BaseCommand):
    help = "Create or update the catalog's backbones and task templates."

    def handle(self, *args, **options) -> None:
        backbones, templates = sync_catalog(Backbone, Template)
        self.stdout.write(f"Catalog: {backbones} backbones, {templates} templates.")
