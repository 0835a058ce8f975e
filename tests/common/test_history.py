"""Saving with who and why (common/history.py): the reason fits the history column the schema declares, and a
save that names nobody is recorded under whoever the surrounding acting_as() names."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from common.history import acting_as, attribute, change_reason, change_reason_length
from organizations.models import Member
from tests import factories


def test_the_limit_is_the_history_columns_length():
    assert change_reason_length(Member) == Member.history.model._meta.get_field("history_change_reason").max_length


def test_an_empty_reason_is_recorded_as_none():
    assert change_reason(Member, "") is None
    assert change_reason(Member, None) is None


def test_a_reason_that_fits_is_kept_as_written():
    reason = "ư" * change_reason_length(Member)
    assert change_reason(Member, reason) == reason


def test_a_reason_is_kept_in_nfc_whatever_form_it_was_typed_in():
    decomposed = unicodedata.normalize("NFD", "Chuyển sinh hoạt đảng")
    assert change_reason(Member, decomposed) == "Chuyển sinh hoạt đảng"
    assert change_reason(Member, decomposed) != decomposed


@given(st.text(min_size=1, max_size=300))
def test_a_kept_reason_is_nfc_and_fits_the_column(text):
    kept = change_reason(Member, text)
    assert kept is not None and unicodedata.is_normalized("NFC", kept)
    assert len(kept) <= change_reason_length(Member)


def test_a_long_reason_is_cut_to_the_column_with_an_ellipsis():
    limit = change_reason_length(Member)
    kept = change_reason(Member, "Đồng chí chuyển công tác " * 20)
    assert len(kept) == limit and kept.endswith("…")


def test_attribute_names_the_user_and_the_reason(db):
    member = factories.MemberFactory()
    staff = factories.UserFactory()
    attribute(member, by=staff, reason="Sửa ngày sinh")
    member.save()
    record = member.history.latest("history_date")
    assert (record.history_user, record.history_change_reason) == (staff, "Sửa ngày sinh")


def test_attribute_without_a_user_leaves_the_author_to_acting_as(db):
    member = factories.MemberFactory()
    runner = factories.UserFactory()
    with acting_as(runner):
        attribute(member, by=None, reason="Lệnh nhập")
        member.save()
    assert member.history.latest("history_date").history_user == runner
