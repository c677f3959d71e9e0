"""Every table of orders, for migrations."""

from services.orders.aftersales import models as _aftersales  # noqa: F401  registers the tables
from services.orders.base import OrdersModel
from services.orders.bookings import models as _bookings  # noqa: F401
from services.orders.commission import models as _commission  # noqa: F401
from services.orders.deals import models as _deals  # noqa: F401
from services.orders.directory import models as _directory  # noqa: F401
from services.orders.eventfees import models as _eventfees  # noqa: F401
from services.orders.members import models as _members  # noqa: F401
from services.orders.orders import models as _orders  # noqa: F401
from services.orders.pickup import models as _pickup  # noqa: F401
from services.orders.products import models as _products  # noqa: F401
from shared.idempotency import include_idempotency_table

include_idempotency_table(OrdersModel.metadata)
metadata = OrdersModel.metadata
