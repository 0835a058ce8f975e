"""Who may do what: each right as a named predicate, asked by the services before they change anything and by
views, admin and templates for what to show.

A right is a Django model permission (what the user's role may do) and a place in the party tree (which
organizations the user's scope holds, organizations/access.py). `user` None is the command line, which acts with
the center's rights: every predicate answers yes. Predicates about a course read `course.organizer.path` and
nothing else of it, so this module needs no app to its right.
"""

from organizations.access import scope_acting_for

# The rights the tree import may use, one for each kind of change it makes; holding any of them opens its page.
TREE_IMPORT_PERMISSIONS = (
    "organizations.add_organization",
    "organizations.add_member",
    "organizations.change_member",
    "organizations.add_appointment",
)


def holds(user, permission) -> bool:
    """Whether the user holds this model permission; the command line holds every one."""
    return user is None or user.has_perm(permission)


def is_center(user) -> bool:
    """Whether the user acts for the center, whose scope is the whole tree. An inspector reads the whole tree too,
    but is not the center: every right this module gives the center is refused to them."""
    scope = scope_acting_for(user)
    return scope.everything and not scope.read_only


def is_inspector(user) -> bool:
    """Whether the user is one of the Inspection Committee's inspectors (organizations/access.py INSPECTING)."""
    return user is not None and scope_acting_for(user).read_only


def is_staff(user) -> bool:
    """Whether the user is the center's staff or a committee's officer (a scope in the tree, not a trainee's)."""
    return scope_acting_for(user).is_staff_scope


def organizes(user, course) -> bool:
    """Whether the user's sub-tree organizes the course: the organizer's staff run its sheets; a committee that only
    sends trainees to it does not."""
    return scope_acting_for(user).contains(course.organizer.path)


def may_link_login(user) -> bool:
    """Linking a login to a member is the center's business, not a committee's."""
    return is_center(user)


def may_unlock_logins(user) -> bool:
    """Unlocking a locked-out login before its cool-off ends is the center's, as linking logins is: a committee's
    officer could otherwise reopen the guessing on a login of any sub-tree, or on another officer's."""
    return is_center(user) and holds(user, "organizations.unlock_lockedoutlogin")


# -- Classes run by the committees ----------------------------------------------------------------------


def runs_own_class(user, course) -> bool:
    """Whether the course is a self-run class (organized by a committee, not the center) of the user's sub-tree,
    and the user an officer of a committee authorized to run classes: they run it through the states, sheets,
    closing and certificates as the center runs its own."""
    return (
        course is not None
        and course.organizer.depth > 1
        and organizes(user, course)
        and (is_center(user) or may_run_own_classes(user))
    )


def authorized_to_run_classes(organization) -> bool:
    """Whether the center's decision in force lets this committee run its own classes."""
    from organizations.models import ClassAuthorization

    return ClassAuthorization.objects.in_force().filter(organization_id=organization.pk).exists()


def may_authorize_classes(user) -> bool:
    """Authorizing a committee to run its own classes is the center's decision."""
    return is_center(user) and holds(user, "organizations.add_classauthorization")


def may_run_own_classes(user) -> bool:
    """Whether the user is an officer of a committee authorized to run its own classes (one query, kept on the
    user object for the request)."""
    cached = getattr(user, "_runs_own_classes", None)
    if cached is not None:
        return cached
    scope = scope_acting_for(user)
    answer = False
    if not scope.everything and scope.path is not None and holds(user, "courses.add_course"):
        from organizations.models import ClassAuthorization

        answer = ClassAuthorization.objects.in_force().filter(organization__path=scope.path).exists()
    if user is not None:
        user._runs_own_classes = answer
    return answer


def may_create_course(user, organizer) -> bool:
    """Opening a class with this organizer (None: any): the center's for any organizer, an authorized
    committee's officers' with their own committee only."""
    if not holds(user, "courses.add_course"):
        return False
    if is_center(user):
        return True
    return may_run_own_classes(user) and (organizer is None or organizer.path == scope_acting_for(user).path)


def may_change_course(user, course) -> bool:
    """Editing a class's details: the center's for every class, an officer's for their own self-run class."""
    return holds(user, "courses.change_course") and (is_center(user) or runs_own_class(user, course))


def may_accept_class(user) -> bool:
    """Accepting a class its indicators mark short of the requirements (its certificates then count) is the
    center's."""
    return is_center(user) and holds(user, "courses.change_course")


# -- Running a class ------------------------------------------------------------------------------


def may_schedule(user, course) -> bool:
    """Adding or moving a class's sessions is for whoever may add sessions in the sub-tree that organizes it."""
    return holds(user, "courses.add_session") and (is_center(user) or runs_own_class(user, course))


def may_mark_attendance(user, course) -> bool:
    return holds(user, "enrollments.change_attendance") and (is_center(user) or runs_own_class(user, course))


def may_record_scores(user, course) -> bool:
    return holds(user, "enrollments.change_enrollment") and organizes(user, course)


def may_close(user, course=None) -> bool:
    """Closing a class is the center's, and for a self-run class its organizer's officers' too."""
    return holds(user, "courses.change_course") and (is_center(user) or runs_own_class(user, course))


def may_reopen(user) -> bool:
    """Reopening a closed class (its stored results and verdict cleared) is the center's only, a self-run class's
    too: the committee that closed it does not undo what the center may have checked."""
    return is_center(user) and holds(user, "courses.change_course")


def may_cancel(user, course=None) -> bool:
    """Cancelling a class before it closes: the center's, and a self-run class's organizer's."""
    return holds(user, "courses.change_course") and (is_center(user) or runs_own_class(user, course))


def may_open_nominations(user, course=None) -> bool:
    return holds(user, "courses.change_course") and (is_center(user) or runs_own_class(user, course))


def may_override_result(user) -> bool:
    return is_center(user) and holds(user, "enrollments.change_enrollment")


# -- Nominating -----------------------------------------------------------------------------------


def may_nominate(user) -> bool:
    """Whether the user nominates members into courses at all; which courses and members, the nomination rules say
    (enrollments/nominations.py). An inspector nominates nobody."""
    return is_staff(user) and not scope_acting_for(user).read_only


# -- Certificates ---------------------------------------------------------------------------------


def may_issue(user, course=None) -> bool:
    """Issuing certificates is the center's, and a self-run class's organizer's (under its own issuer profile and
    register, certificates.services.issuer_for)."""
    return holds(user, "certificates.add_certificate") and (is_center(user) or runs_own_class(user, course))


def may_revoke(user) -> bool:
    return is_center(user) and holds(user, "certificates.change_certificate")


def may_print(user, course=None) -> bool:
    """Printing a course's certificates is the issuers' work."""
    return may_issue(user, course)


def may_read_revoked(user) -> bool:
    """A revoked certificate's PDF is the center's only: nobody else should print it again."""
    return is_center(user)


# -- Reports ------------------------------------------------------------------------------------


def may_use_reports(user) -> bool:
    """The report pages and exports are the center's staff's and the committees' officers', each for their scope."""
    return is_staff(user)


# -- Importing ------------------------------------------------------------------------------------


def may_import_tree(user) -> bool:
    return any(holds(user, permission) for permission in TREE_IMPORT_PERMISSIONS)


def may_import_into(user, organization) -> bool:
    """Whether an import by the user may name, change or add under this organization: one its scope holds."""
    return scope_acting_for(user).contains(organization.path)


# -- Inspections (oversight/inspections.py) --------------------------------------------------------


def may_plan_inspections(user) -> bool:
    """The yearly plan and its inspections are the Inspection Committee's: its inspectors (and the command line)."""
    return user is None or user.is_superuser or (is_inspector(user) and holds(user, "oversight.change_inspection"))


def on_the_team(user, inspection) -> bool:
    """Whether the user inspects this inspection: any inspector, or a member of its team (ids of inspection.team, read
    once per inspection object)."""
    if user is None or may_plan_inspections(user):
        return True
    if not user.is_authenticated:
        return False
    team = getattr(inspection, "_team_ids", None)
    if team is None:
        team = inspection._team_ids = set(inspection.team.values_list("pk", flat=True))
    return user.pk in team


def may_inspect(user, inspection) -> bool:
    """Opening, typing findings, concluding: the team's (or any inspector's)."""
    return on_the_team(user, inspection) and holds(user, "oversight.change_inspection")


def may_report_correction(user, correction) -> bool:
    """A correction is reported by the officers of the committee responsible for it, and of no other: an officer whose
    sub-tree holds the responsible organization, never the center nor an inspector."""
    scope = scope_acting_for(user)
    if user is None:
        return True
    return (
        not scope.everything
        and scope.contains(correction.organization.path)
        and holds(user, "oversight.add_correctionreport")
    )


def may_judge_correction(user, correction) -> bool:
    """Accepting or reopening a correction is its inspection's team's."""
    return on_the_team(user, correction.inspection) and holds(user, "oversight.change_correction")
