from typing import ClassVar

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: LINLI_MATCHING_<FIELD>."""

    service_name: ClassVar[str] = "matching"
    default_port: ClassVar[int] = 8005
