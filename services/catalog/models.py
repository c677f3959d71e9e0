"""Every table of catalog, for migrations."""

from services.catalog.base import CatalogModel
from services.catalog.products import models as _products  # noqa: F401  registers the tables

metadata = CatalogModel.metadata
