"""What matching's routes take from the request: its settings and the language a reason is said in."""

from typing import Annotated, Literal

from fastapi import Depends, Header, Query, Request

from services.matching.settings import Settings

Lang = Literal["en", "zh"]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _lang(
    lang: Annotated[Lang | None, Query(description="Language of reasons and labels; else Accept-Language")] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Lang:
    if lang is not None:
        return lang
    return "zh" if (accept_language or "").lower().startswith("zh") else "en"


SettingsDep = Annotated[Settings, Depends(_settings)]
LangDep = Annotated[Lang, Depends(_lang)]
