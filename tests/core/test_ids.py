import itertools

import pytest

from zizhu.core.ids import is_valid_number, luhn_check_digit, new_number

pytestmark = pytest.mark.smoke


def test_numbers_have_prefix_length_and_check_digit():
    number = new_number("order")
    assert number.startswith("O") and len(number) == 17
    assert is_valid_number("order", number)
    assert not is_valid_number("return", number)


def test_a_mistyped_digit_is_caught():
    number = new_number("ticket")
    digits = list(number)
    digits[5] = str((int(digits[5]) + 1) % 10)
    assert not is_valid_number("ticket", "".join(digits))
    assert not is_valid_number("ticket", number[:-1])
    assert not is_valid_number("ticket", number + "0")
    assert not is_valid_number("ticket", "T١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦")  # non-ASCII digits


def test_luhn_known_value():
    # 7992739871 has check digit 3 (the textbook example)
    assert luhn_check_digit("7992739871") == "3"


def test_numbers_are_not_sequential():
    numbers = [new_number("order") for _ in range(2000)]
    assert len(set(numbers)) == 2000
    as_ints = sorted(int(n[1:]) for n in numbers)
    gaps = {b - a for a, b in itertools.pairwise(as_ints)}
    assert len(gaps) > 1000  # no fixed step between consecutive numbers


def test_every_digit_position_is_random_and_the_first_is_never_zero():
    bodies = [new_number("payment")[1:-1] for _ in range(2000)]
    assert all(len(body) == 15 for body in bodies)
    assert {body[0] for body in bodies} == set("123456789")
    for position in range(1, 15):
        assert {body[position] for body in bodies} == set("0123456789")
