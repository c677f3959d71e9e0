"""Every table of community, for migrations."""

from services.community.base import CommunityModel
from services.community.communities import models as _communities  # noqa: F401  registers the tables
from services.community.events import models as _events  # noqa: F401

metadata = CommunityModel.metadata
