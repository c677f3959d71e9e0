"""orders: group-buy deals, orders and their payment; service bookings."""

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from fastapi import FastAPI

from services.orders.aftersales.routes import router as after_sales
from services.orders.bookings.routes import router as bookings
from services.orders.commission.routes import router as commission
from services.orders.deals import clock
from services.orders.deals.routes import router as deals
from services.orders.eventfees.handlers import fee_handlers
from services.orders.eventfees.routes import router as event_fees
from services.orders.handlers import handlers
from services.orders.models import metadata
from services.orders.orders.placing import order_desk
from services.orders.orders.routes import router as orders
from services.orders.payments.handlers import payment_handlers
from services.orders.payments.simulated import SimulatedPaymentProvider
from services.orders.pickup.routes import router as pickup
from services.orders.settings import Settings
from shared import idempotency
from shared.bus import EventHandlers
from shared.models import utcnow
from shared.periodic import every
from shared.service import ServiceSpec, create_service_app


def spec() -> ServiceSpec:
    settings = Settings()
    payments = SimulatedPaymentProvider(
        webhook_url=settings.payment_webhook_url,
        webhook_secret=settings.payment_webhook_secret,
        delay=settings.payment_confirm_delay,
    )

    @contextlib.asynccontextmanager
    async def payment_provider(app: FastAPI) -> AsyncIterator[None]:
        app.state.payments = payments
        yield
        await payments.close()

    return ServiceSpec(
        settings=settings,
        metadata=metadata,
        routers=[deals, orders, pickup, commission, after_sales, bookings, event_fees],
        handlers=EventHandlers.combine(handlers, payment_handlers(payments), fee_handlers(payments)),
        extensions=[
            payment_provider,
            order_desk(timedelta(seconds=settings.payment_window_seconds)),
            every(settings.clock_seconds, run_clock, name="deal-clock"),
        ],
        housekeeping=[idempotency.prune],
        description="Group-buy deals, orders, and payment through the payment-provider port; bookings of the "
        "directory's services (slots, inquiries, reviews); offline events' fees.",
    )


async def run_clock(app: FastAPI) -> None:
    undo_window = timedelta(seconds=app.state.settings.pickup_undo_seconds)
    await clock.tick(app.state.db, app.state.payments, now=utcnow(), undo_window=undo_window)


def create_app() -> FastAPI:
    return create_service_app(spec())
