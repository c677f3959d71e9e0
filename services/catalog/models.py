"""Every table of catalog, for migrations."""

from services.catalog.base import CatalogModel
from services.catalog.directory import models as _directory  # noqa: F401  registers the tables
from services.catalog.products import models as _products  # noqa: F401

metadata = CatalogModel.metadata
