from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Field

from services.livestream.base import LivestreamModel
from shared.models import UTCDateTime, new_id, utcnow


class Question(LivestreamModel, table=True):
    """A viewer's question (互动问答); one asked about a deal card stays on that product's Q&A."""

    id: str = Field(default_factory=new_id, primary_key=True)
    session_id: str = Field(foreign_key="livesession.id", index=True)
    community_id: str
    author_id: str
    text: str
    card_id: str | None = None
    deal_id: str | None = None
    product_id: str | None = Field(default=None, index=True)
    upvotes: int = 0
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Upvote(LivestreamModel, table=True):
    question_id: str = Field(primary_key=True, foreign_key="question.id")
    user_id: str = Field(primary_key=True)


class Answer(LivestreamModel, table=True):
    """An answer on a product's Q&A, by a leader of its community or a resident who bought it."""

    id: str = Field(default_factory=new_id, primary_key=True)
    question_id: str = Field(foreign_key="question.id", index=True)
    author_id: str
    author_role: str  # leader | buyer
    text: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AnswerCreate(BaseModel):
    text: str = Field(min_length=1, max_length=500)


class AnswerPublic(BaseModel):
    id: str
    author_id: str
    author_name: str
    author_role: str
    text: str
    created_at: datetime


class QuestionPublic(BaseModel):
    id: str
    session_id: str
    author_id: str
    author_name: str
    text: str
    card_id: str | None
    product_id: str | None
    upvotes: int
    answered: bool
    created_at: datetime
    answers: list[AnswerPublic] = []
