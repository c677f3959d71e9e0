"""Every table of gateway, for migrations."""

from services.gateway.base import GatewayModel
from services.gateway.identity import models as _identity  # noqa: F401  registers the tables

metadata = GatewayModel.metadata
