"""Every table of matching, for migrations."""

from services.matching.base import MatchingModel
from services.matching.demand import models as _demand  # noqa: F401  registers the tables
from services.matching.insights import models as _insights  # noqa: F401
from services.matching.interests import models as _interests  # noqa: F401
from services.matching.needs import models as _needs  # noqa: F401
from services.matching.recommendations import models as _recommendations  # noqa: F401

metadata = MatchingModel.metadata
