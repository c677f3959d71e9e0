from typing import ClassVar

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: LINLI_COMMUNITY_<FIELD>."""

    service_name: ClassVar[str] = "community"
    default_port: ClassVar[int] = 8004
