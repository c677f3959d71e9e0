"""Every table of livestream, for migrations."""

from services.livestream.base import LivestreamModel
from services.livestream.sessions import models as _sessions  # noqa: F401  registers the tables

metadata = LivestreamModel.metadata
