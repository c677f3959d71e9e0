from typing import ClassVar

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment: LINLI_MATCHING_<FIELD>."""

    service_name: ClassVar[str] = "matching"
    default_port: ClassVar[int] = 8005

    # An interest counts half as much after this many days without a new signal.
    interest_half_life_days: float = 30.0
    # Demand signals are counted as distinct residents over this window; a category's signal that
    # reaches its threshold (`demand_thresholds`, else `demand_default_threshold`) is announced once
    # per window.
    demand_window_days: int = 30
    demand_default_threshold: int = 10
    demand_thresholds: dict[str, int] = {}
    # The dashboard's days are the community's calendar days (an order at 23:30 in Shanghai is that day's).
    insights_timezone: str = "Asia/Shanghai"
