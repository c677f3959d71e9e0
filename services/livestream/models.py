"""Every table of livestream, for migrations."""

from services.livestream.base import LivestreamModel
from services.livestream.cards import models as _cards  # noqa: F401  registers the tables
from services.livestream.directory import models as _directory  # noqa: F401
from services.livestream.giveaways import models as _giveaways  # noqa: F401
from services.livestream.guests import models as _guests  # noqa: F401
from services.livestream.highlights import models as _highlights  # noqa: F401
from services.livestream.leads import models as _leads  # noqa: F401
from services.livestream.members import models as _members  # noqa: F401
from services.livestream.moderation import models as _moderation  # noqa: F401
from services.livestream.polls import models as _polls  # noqa: F401
from services.livestream.purchases import models as _purchases  # noqa: F401
from services.livestream.questions import models as _questions  # noqa: F401
from services.livestream.room import models as _room  # noqa: F401
from services.livestream.sessions import models as _sessions  # noqa: F401
from services.livestream.signups import models as _signups  # noqa: F401

metadata = LivestreamModel.metadata
