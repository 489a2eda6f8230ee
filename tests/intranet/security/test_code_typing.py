"""A code typed the way people read it off a phone ("046 425", "046-425") works when enrolling an authenticator app
too, not only when verifying a session, and a wrong one is reported on the field."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.attacks.second_factor_fixtures import (
    SETUP,
    code_for,
    fast_passwords,  # noqa: F401 (fixture)
    login_with_password,
    make_victim,
)

pytestmark = [pytest.mark.django_db, pytest.mark.enforce_2fa, pytest.mark.usefixtures("fast_passwords")]


@pytest.mark.parametrize("typed", ("{} {}", "{}-{}", "{}\u2009{}"))
def test_enrolment_accepts_a_code_with_a_space_or_a_dash(client, org, typed):
    user = make_victim(org, "payroll_officer")
    login_with_password(client, user)
    page = client.get(SETUP).content.decode()
    assert 'autocomplete="one-time-code"' in page
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    code = code_for(pending)
    response = client.post(SETUP, {"token": typed.format(code[:3], code[3:])})
    assert 'data-testid="recovery-codes"' in response.content.decode()
    assert TOTPDevice.objects.get(user=user).confirmed


def test_a_wrong_code_is_refused_with_the_message_tied_to_the_field(client, org):
    user = make_victim(org, "payroll_officer")
    login_with_password(client, user)
    client.get(SETUP)
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = f"{(int(code_for(pending)) + 1) % 1_000_000:06d}"
    page = client.post(SETUP, {"token": f"{wrong[:3]} {wrong[3:]}"}).content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed
    assert 'id="id_token_error"' in page and 'aria-describedby="id_token_helptext id_token_error"' in page
