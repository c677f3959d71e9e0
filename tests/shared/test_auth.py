from datetime import timedelta

import jwt
import pytest

from shared.auth import Principal, issue_access_token, verify_access_token
from shared.errors import Forbidden, Unauthorized
from shared.settings import LOCAL_JWT_PRIVATE_KEY as PRIVATE
from shared.settings import LOCAL_JWT_PUBLIC_KEY as PUBLIC
from tests.keys import load_private, new_private_key

OTHER_PRIVATE = new_private_key()


def test_a_token_carries_the_principal() -> None:
    principal = Principal(user_id="u1", roles={"c1": ["leader"], "c2": ["resident"]})
    assert verify_access_token(PUBLIC, issue_access_token(PRIVATE, principal)) == principal


@pytest.mark.parametrize(
    ("token", "detail"),
    [
        (issue_access_token(PRIVATE, Principal(user_id="u"), ttl=timedelta(seconds=-5)), "expired"),
        (issue_access_token(OTHER_PRIVATE, Principal(user_id="u")), "signature"),
        # The classic confusion: HMAC-signed with the public key as the secret.
        (jwt.encode({"sub": "u", "aud": "linli", "iss": "linli-gateway", "exp": 2**40, "iat": 0}, PUBLIC), "not valid"),
        ("a.b.c", "not valid"),
        (
            jwt.encode(
                {"sub": "u", "typ": "refresh", "aud": "linli", "iss": "linli-gateway", "exp": 2**40, "iat": 0},
                load_private(PRIVATE),
                algorithm="EdDSA",
            ),
            "not an access token",
        ),
        (jwt.encode({"sub": "u"}, load_private(PRIVATE), algorithm="EdDSA"), "not valid"),
    ],
)
def test_bad_tokens_are_refused_with_a_reason(token: str, detail: str) -> None:
    with pytest.raises(Unauthorized, match=detail):
        verify_access_token(PUBLIC, token)


def test_roles_are_per_community() -> None:
    p = Principal(user_id="u1", roles={"c1": ["leader"], "c2": ["resident"]})
    p.require_role("c1", "leader")
    p.require_member("c2")
    with pytest.raises(Forbidden):
        p.require_role("c2", "leader")
    with pytest.raises(Forbidden):
        p.require_member("c3")
    with pytest.raises(Forbidden):
        p.require_service()


def test_services_and_operators_are_trusted_everywhere_but_only_services_are_services() -> None:
    Principal(user_id="svc", kind="service").require_role("any", "leader")
    operator = Principal(user_id="op", operator=True)
    operator.require_member("any")
    with pytest.raises(Forbidden):
        operator.require_service()


def test_a_partner_acts_for_its_own_provider_only() -> None:
    partner = verify_access_token(
        PUBLIC, issue_access_token(PRIVATE, Principal(user_id="partner:k1", kind="partner", provider_id="p1"))
    )
    assert (partner.kind, partner.provider_id) == ("partner", "p1")
    partner.require_provider("p1")
    with pytest.raises(Forbidden):
        partner.require_provider("p2")
    with pytest.raises(Forbidden):  # a user, even the provider's owner, is not its API key
        Principal(user_id="owner", provider_id=None).require_provider("p1")
    with pytest.raises(Forbidden):  # a partner is no member of any community
        partner.require_member("c1")
