"""The center's decisions that a committee runs its own classes: given and revoked here only, each change kept in
the decision's history with who made it (organizations.ClassAuthorization; the predicates that read it are in
organizations/permissions.py)."""

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from common.history import attribute
from organizations.models import ClassAuthorization, Organization
from organizations.permissions import may_authorize_classes

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _check(by):
    if not may_authorize_classes(by):
        raise PermissionDenied(_("Chỉ Trung tâm giao đảng ủy tự tổ chức lớp."))


@transaction.atomic
def authorize_classes(
    organization: Organization, *, decision_number: str, decision_date: datetime.date, by: "User | None"
) -> ClassAuthorization:
    """Record the center's decision (its number and date) that the committee runs its own classes."""
    _check(by)
    authorization = ClassAuthorization(
        organization=organization, decision_number=decision_number.strip(), decision_date=decision_date
    )
    authorization.full_clean()
    attribute(authorization, by=by, reason=_("Giao tự tổ chức lớp"))
    authorization.save()
    return authorization


@transaction.atomic
def save_authorization(authorization: ClassAuthorization, *, by: "User | None") -> ClassAuthorization:
    """Save a decision as the admin's form left it (a new one, a corrected number, a revocation date)."""
    _check(by)
    authorization.full_clean()
    reason = _("Thu hồi quyết định giao tự tổ chức lớp") if authorization.revoked_on else _("Giao tự tổ chức lớp")
    attribute(authorization, by=by, reason=reason)
    authorization.save()
    return authorization


@transaction.atomic
def revoke_authorization(
    authorization: ClassAuthorization, *, on: datetime.date, by: "User | None"
) -> ClassAuthorization:
    """End the decision from `on`: no new class; the classes already run keep their records."""
    authorization = ClassAuthorization.objects.select_for_update().get(pk=authorization.pk)
    authorization.revoked_on = on
    return save_authorization(authorization, by=by)
