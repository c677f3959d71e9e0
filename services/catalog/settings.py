from typing import ClassVar

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: LINLI_CATALOG_<FIELD>."""

    service_name: ClassVar[str] = "catalog"
    default_port: ClassVar[int] = 8001
