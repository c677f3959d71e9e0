"""Every event type's payload schema, one module per publishing service. Importing this package
registers them all, so publishers and consumers share one definition and the catalogue is complete."""

from shared.events.schemas import catalog, community, gateway, livestream, matching, orders

__all__ = ["catalog", "community", "gateway", "livestream", "matching", "orders"]
