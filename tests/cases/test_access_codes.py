from cases.access_codes import (
    ACCESS_CODE_LENGTH,
    access_code_matches,
    digest_access_code,
    new_access_code,
    new_tracking_number,
)


def test_code_matches_only_its_own_tracking_number(settings):
    code = new_access_code()
    digest = digest_access_code("WY20261121ABCDEF", code)
    assert len(code) == ACCESS_CODE_LENGTH
    assert access_code_matches("WY20261121ABCDEF", code, digest)
    assert access_code_matches("WY20261121ABCDEF", f" {code.lower()} ", digest)
    assert not access_code_matches("WY20261121ABCDEG", code, digest)
    assert not access_code_matches("WY20261121ABCDEF", "WRONGCODE", digest)


def test_old_secret_keys_still_open_old_codes(settings):
    digest = digest_access_code("WY20261121ABCDEF", "K7P3QX2M")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-rotated-key-" + "x" * 40
    assert access_code_matches("WY20261121ABCDEF", "K7P3QX2M", digest)


def test_tracking_numbers_are_unambiguous():
    numbers = {new_tracking_number() for _ in range(200)}
    assert len(numbers) == 200
    for number in numbers:
        assert number.startswith("WY") and len(number) == 16
        assert not set(number[10:]) & set("01OIL")
