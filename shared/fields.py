"""Field types several services validate the same way."""

from typing import Annotated

from pydantic import Field, StringConstraints

Tag = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
Tags = Annotated[list[Tag], Field(max_length=12, description="lowercase slugs, e.g. infant, organic, senior")]
EntityId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
# An https URL kept as text (stored and served as given), e.g. a product photo on a CDN.
ImageUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s]{1,500}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
