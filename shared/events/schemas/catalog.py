from shared.events.envelope import EventData, event_type


@event_type("catalog.product.created")
class ProductCreated(EventData):
    """A leader added a product to the catalogue; its tags feed interest matching."""

    product_id: str
    name: str
    unit: str
    tags: list[str]
