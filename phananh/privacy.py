"""What a published answer may not show: the sender's personal data (docs/petitions.md §4). Pure."""

from __future__ import annotations

from collections.abc import Iterable

from motcua.lib.text import fold, personal_number_in

MIN_NAME_LENGTH = 5  # a shorter "name" (a typo, one word) would flag ordinary words


def personal_data_in(text: str, *, name: str, phone: str, email: str, address: str, id_number: str) -> list[str]:
    """What in ``text`` is the sender's data or looks like anyone's: their name, phone, e-mail,
    address or ID number (compared without case and diacritics), or any number that looks like an ID
    or a phone, or any e-mail address. Empty when the text may be published."""
    found: list[str] = []
    folded = fold(text)
    digits = "".join(ch for ch in text if ch.isdigit())
    labelled: Iterable[tuple[str, str]] = (
        ("họ tên người gửi", name),
        ("địa chỉ người gửi", address),
        ("thư điện tử người gửi", email),
    )
    for label, value in labelled:
        if len(value.strip()) >= MIN_NAME_LENGTH and fold(value) in folded:
            found.append(label)
    for label, value in (("số điện thoại người gửi", phone), ("số định danh người gửi", id_number)):
        bare = "".join(ch for ch in value if ch.isdigit())
        if len(bare) >= 6 and bare in digits:
            found.append(label)
    number = personal_number_in(text)
    if number:
        found.append(f"số giấy tờ, điện thoại hoặc thư điện tử (“{number}”)")
    return found
