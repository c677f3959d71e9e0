"""The directory's HTTP routes (thin: validate, call the service function, commit)."""

from services.catalog.directory.routes import browse, endorsements, listings, offerings, providers

routers = [providers.router, offerings.router, listings.router, endorsements.router, browse.router]
