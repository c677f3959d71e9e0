"""Every table of community, for migrations."""

from services.community.base import CommunityModel
from services.community.board import models as _board  # noqa: F401
from services.community.communities import models as _communities  # noqa: F401  registers the tables
from services.community.events import models as _events  # noqa: F401
from services.community.needs import models as _needs  # noqa: F401
from services.community.swaps import models as _swaps  # noqa: F401

metadata = CommunityModel.metadata
