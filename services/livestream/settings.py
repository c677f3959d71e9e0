from typing import ClassVar

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: LINLI_LIVESTREAM_<FIELD>."""

    service_name: ClassVar[str] = "livestream"
    default_port: ClassVar[int] = 8003
