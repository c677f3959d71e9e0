"""The directory's fixed taxonomy of service categories (HSDS `taxonomy_term`), with the labels
residents read and the regulated domain, if any, whose papers a provider needs to be listed."""

from typing import Literal

from pydantic import BaseModel

Domain = Literal["health", "finance", "education"]
DOMAINS: tuple[Domain, ...] = ("health", "finance", "education")

Category = Literal[
    "housekeeping",
    "clinic_escort",
    "elderly_home_adaptation",
    "elderly_care",
    "health_consultation",
    "home_nursing",
    "tutoring",
    "interest_class",
    "repair",
    "haircut",
    "parenting",
    "culture",
    "errands",
    "pet_care",
    "finance_advice",
]


class CategoryInfo(BaseModel):
    category: Category
    label: str
    regulated: Domain | None


# Order is the order a guide lists categories in.
CATEGORIES: dict[Category, CategoryInfo] = {
    info.category: info
    for info in (
        CategoryInfo(category="housekeeping", label="家政保洁", regulated=None),
        CategoryInfo(category="repair", label="家电维修", regulated=None),
        CategoryInfo(category="haircut", label="理发", regulated=None),
        CategoryInfo(category="errands", label="跑腿代办", regulated=None),
        CategoryInfo(category="clinic_escort", label="陪诊", regulated=None),
        CategoryInfo(category="elderly_care", label="助老陪护", regulated=None),
        CategoryInfo(category="elderly_home_adaptation", label="适老化改造", regulated=None),
        CategoryInfo(category="health_consultation", label="健康咨询", regulated="health"),
        CategoryInfo(category="home_nursing", label="上门护理", regulated="health"),
        CategoryInfo(category="tutoring", label="课后辅导", regulated="education"),
        CategoryInfo(category="interest_class", label="兴趣课堂", regulated="education"),
        CategoryInfo(category="parenting", label="育儿", regulated=None),
        CategoryInfo(category="culture", label="文化活动", regulated=None),
        CategoryInfo(category="pet_care", label="宠物照看", regulated=None),
        CategoryInfo(category="finance_advice", label="理财咨询", regulated="finance"),
    )
}


def label_of(category: str) -> str:
    return CATEGORIES[category].label  # type: ignore[index]  # stored categories were validated on write


def domain_of(category: str) -> str:
    """The regulated domain of a category, or "" (stored so searches can check papers in SQL)."""
    return CATEGORIES[category].regulated or ""  # type: ignore[index]
