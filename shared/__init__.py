"""Linli's shared package: what every service needs, written once (settings, logging, database,
events, the bus, auth, errors, health, the service app factory, test fixtures)."""
