from services.orders.commission.service import commission_of


def test_commission_is_rounded_down_to_the_fen() -> None:
    assert commission_of(7980, 1000) == 798
    assert commission_of(3990, 333) == 132  # 132.87 fen: never more than the rate
    assert commission_of(3990, 0) == 0
