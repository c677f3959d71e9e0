from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from shared.bus.tables import include_bus_tables


class CommunityModel(SQLModel, registry=registry()):
    """Base of community's models: a metadata of its own, so its schema never mixes with another service's."""


include_bus_tables(CommunityModel.metadata)
