from typing import ClassVar

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: LINLI_CATALOG_<FIELD>."""

    service_name: ClassVar[str] = "catalog"
    default_port: ClassVar[int] = 8001

    # A listed provider goes back under review by itself with this many open complaints (one per
    # resident), or once an offering's average rating is below `low_rating_below` over at least
    # `low_rating_min_count` ratings.
    complaint_threshold: int = 3
    low_rating_below: float = 3.0
    low_rating_min_count: int = 5
    # How often the directory clock expires papers (suspending what needed them) and extends slots.
    directory_clock_seconds: float = 60.0
