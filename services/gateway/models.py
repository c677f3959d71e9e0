"""Every table of gateway, for migrations."""

from services.gateway.base import GatewayModel
from services.gateway.identity import models as _identity  # noqa: F401  registers the tables
from services.gateway.notifications import models as _notifications  # noqa: F401
from services.gateway.partners import models as _partners  # noqa: F401
from services.gateway.webhooks import models as _webhooks  # noqa: F401

metadata = GatewayModel.metadata
