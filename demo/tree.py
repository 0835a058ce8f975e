"""The demo party tree and its post holders, planned in memory before anything is written."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from common.vietnamese import search_key
from demo import names
from organizations.models import Member, Organization, Post

Kind = Organization.Kind

CURRENT_TERM = "2020–2025"
PREVIOUS_TERM = "2015–2020"

# Congresses elect cells first, then grassroots organizations, then the affiliated committees.
CONGRESS_WINDOWS = {
    Kind.CELL: ((3, 2), (4, 30)),
    Kind.GRASSROOTS_CELL: ((4, 1), (5, 29)),
    Kind.PARTIAL_COMMITTEE: ((4, 1), (5, 15)),
    Kind.GRASSROOTS_COMMITTEE: ((5, 4), (7, 31)),
    Kind.AFFILIATED_COMMITTEE: ((7, 1), (8, 31)),
}
# Affiliated committees allowed to run classes of their own.
SELF_ORGANIZING = {"BTCTW", "HVCTQG", "BTP"}
# Cell-level organizations, where every post holder is also a member.
CELL_KINDS = (Kind.CELL, Kind.GRASSROOTS_CELL)
# How many of a large grassroots committee's cells sit under its partial committees.
PARTIAL_SHARE = (0.5, 0.8)
MID_TERM_CHANGE = 0.04
# Of today's holders, this share held a post in the same organization last term...
HELD_BEFORE = 0.15
# ...and of today's secretaries this further share took over from someone who has since left.
TOOK_OVER = 0.09
# Committees over several cells seat many of those cells' secretaries.
SHARED_SEAT = 0.6
SHARED_SEAT_KINDS = (Kind.GRASSROOTS_COMMITTEE, Kind.PARTIAL_COMMITTEE)
SHARED_SEAT_POSTS = (Post.STANDING_MEMBER, Post.COMMITTEE_MEMBER)
PREVIOUS_POST = {
    Post.SECRETARY: [Post.DEPUTY_SECRETARY, Post.DEPUTY_SECRETARY, Post.COMMITTEE_MEMBER],
    Post.DEPUTY_SECRETARY: [Post.COMMITTEE_MEMBER],
    Post.STANDING_MEMBER: [Post.COMMITTEE_MEMBER, Post.STANDING_MEMBER],
    Post.COMMITTEE_MEMBER: [Post.COMMITTEE_MEMBER],
}


@dataclass(eq=False)
class Node:
    organization: Organization
    unit: str  # the workplace unit the organization sits in; blank for party-only groupings
    category: str  # kind of agency, from names.AFFILIATED_COMMITTEES
    parent: "Node | None" = None
    children: list["Node"] = field(default_factory=list)
    leaves: list["Node"] = field(default_factory=list)  # cell-level organizations in the sub-tree
    workplace: str = ""
    secretary: Member | None = None  # the current secretary of a cell-level organization
    congress: dict[int, date] = field(default_factory=dict)  # when each term's committee was elected

    @property
    def kind(self):
        return self.organization.kind

    def ancestor(self, kind):
        node = self
        while node is not None and node.kind != kind:
            node = node.parent
        return node


@dataclass
class Tree:
    root: Node
    nodes: list[Node]  # in path order
    committees: list[Node]


@dataclass(slots=True, eq=False)
class Holding:
    """A post held in an organization for a term; becomes an Appointment once its member is saved."""

    member: Member
    organization: Organization
    post: str
    term_label: str
    start_date: date
    end_date: date | None
    requires_training: bool

    @property
    def is_current(self):
        return self.end_date is None


@dataclass
class People:
    members: list[Member]
    holdings: list[Holding]
    persona: Member
    persona_holding: Holding


def split_total(rng, total, weights, minimum=0):
    """Integers summing exactly to total, each at least minimum, roughly proportional to weights."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError(f"{total} cannot give {len(weights)} parts of at least {minimum}")
    scale = spare / sum(weights)
    shares = [weight * scale for weight in weights]
    parts = [minimum + int(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (int(shares[i]) - shares[i], rng.random()))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def distinct_names(rng, pool, count):
    """count different names from pool, numbering repeats once the pool runs out."""
    picked = rng.sample(pool, min(count, len(pool)))
    round_number = 2
    while len(picked) < count:
        picked.extend(f"{name} số {round_number}" for name in rng.sample(pool, min(count - len(picked), len(pool))))
        round_number += 1
    return sorted(picked, key=search_key)


def random_day(rng, start, end):
    """A weekday between start and end; congresses and postings happen on working days."""
    day = start + timedelta(days=rng.randrange((end - start).days + 1))
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def head_titles(unit):
    """The head's and the deputy head's titles of a unit, by the longest matching name prefix."""
    return names.HEAD_TITLES[max((prefix for prefix in names.HEAD_TITLES if unit.startswith(prefix)), key=len)]


def _node(kind, code, name, unit, category, parent=None, **extra):
    organization = Organization(kind=kind, code=code, name=name, **extra)
    organization.fill_keys()
    node = Node(organization, unit, category, parent)
    if parent is not None:
        parent.children.append(node)
    return node


def build_tree(rng, scale):
    """Plan the bloc, its affiliated committees, grassroots organizations, partial committees and cells."""
    code, name, short_name = names.BLOC
    root = _node(Kind.BLOC, code, name, "", "party", short_name=short_name, can_self_organize=True)
    specs = names.AFFILIATED_COMMITTEES[: scale.committees]
    counts = split_total(rng, scale.grassroots, [size * rng.uniform(0.75, 1.25) for *_, size in specs], minimum=2)
    committees, grassroots_committees = [], []
    for (code, agency, category, _size), count in zip(specs, counts, strict=True):
        committee = _node(
            Kind.AFFILIATED_COMMITTEE,
            code,
            f"Đảng ủy {agency}",
            agency,
            category,
            root,
            short_name=agency[:64],
            can_self_organize=code in SELF_ORGANIZING,
        )
        committees.append(committee)
        width = max(2, len(str(count)))
        for i, unit in enumerate(distinct_names(rng, names.GRASSROOTS_UNITS[category], count), 1):
            # Big units have a grassroots committee over several cells; small ones are one cell.
            if i == 1 or rng.random() < 0.4:
                kind, prefix = Kind.GRASSROOTS_COMMITTEE, "Đảng bộ"
            else:
                kind, prefix = Kind.GRASSROOTS_CELL, "Chi bộ"
            node = _node(kind, f"{code}-{i:0{width}d}", f"{prefix} {unit}", unit, category, committee)
            if kind == Kind.GRASSROOTS_COMMITTEE:
                grassroots_committees.append(node)
    cell_counts = split_total(rng, scale.cells, [rng.lognormvariate(0, 0.6) for _ in grassroots_committees], minimum=3)
    split = [n >= scale.partial_threshold for n in cell_counts]
    if not any(split):
        split[cell_counts.index(max(cell_counts))] = True
    for grassroots, count, with_partials in zip(grassroots_committees, cell_counts, split, strict=True):
        _add_cells(rng, grassroots, count, with_partials)
    nodes = []
    _place(root, Organization._get_path(None, 1, 1), 1, nodes)
    for node in reversed(nodes):
        node.workplace = ", ".join(n.unit for n in _lineage(node) if n.unit and n.kind != Kind.BLOC)
        node.leaves = [node] if node.kind in CELL_KINDS else [leaf for child in node.children for leaf in child.leaves]
        if node.kind in CONGRESS_WINDOWS:
            low, high = CONGRESS_WINDOWS[node.kind]
            node.congress = {year: random_day(rng, date(year, *low), date(year, *high)) for year in (2015, 2020)}
    return Tree(root, nodes, committees)


def _add_cells(rng, grassroots, count, with_partials):
    code = grassroots.organization.code
    direct = count
    if with_partials:
        partial_count = max(2, min(4, count // 10))
        in_partials = max(2 * partial_count, round(count * rng.uniform(*PARTIAL_SHARE)))
        direct = count - in_partials
        sizes = split_total(rng, in_partials, [rng.uniform(0.7, 1.3) for _ in range(partial_count)], minimum=2)
        units = distinct_names(rng, names.PARTIAL_UNITS, partial_count)
        for i, (unit, size) in enumerate(zip(units, sizes, strict=True), 1):
            partial = _node(
                Kind.PARTIAL_COMMITTEE, f"{code}-B{i}", f"Đảng bộ bộ phận {unit}", "", grassroots.category, grassroots
            )
            _add_plain_cells(rng, partial, size)
    _add_plain_cells(rng, grassroots, direct)


def _add_plain_cells(rng, parent, count):
    code = parent.organization.code
    width = max(2, len(str(count)))
    for i, unit in enumerate(distinct_names(rng, names.DEPARTMENTS, count), 1):
        _node(Kind.CELL, f"{code}-{i:0{width}d}", f"Chi bộ {unit}", unit, parent.category, parent)


def _place(node, path, depth, ordered):
    """Give the node treebeard's materialized path; siblings are numbered in code order."""
    organization = node.organization
    organization.path, organization.depth, organization.numchild = path, depth, len(node.children)
    ordered.append(node)
    node.children.sort(key=lambda child: child.organization.code)
    for i, child in enumerate(node.children, 1):
        _place(child, Organization._get_path(path, depth + 1, i), depth + 1, ordered)


def _lineage(node):
    while node is not None:
        yield node
        node = node.parent


def _post_slots(rng, node):
    kind = node.kind
    if kind == Kind.CELL:
        slots = [Post.SECRETARY] + [Post.DEPUTY_SECRETARY] * (rng.random() < 0.45)
        return slots + [Post.COMMITTEE_MEMBER] * (rng.randint(1, 3) if rng.random() < 0.1 else 0)
    if kind == Kind.GRASSROOTS_CELL:
        slots = [Post.SECRETARY] + [Post.DEPUTY_SECRETARY] * (rng.random() < 0.85)
        return slots + [Post.COMMITTEE_MEMBER] * (rng.randint(1, 3) if rng.random() < 0.5 else 0)
    if kind == Kind.PARTIAL_COMMITTEE:
        return [Post.SECRETARY, Post.DEPUTY_SECRETARY] + [Post.COMMITTEE_MEMBER] * rng.randint(3, 5)
    if kind == Kind.GRASSROOTS_COMMITTEE:
        size = min(15, 5 + len(node.leaves) // 5)
        deputies = 2 if size >= 9 else 1
        # Only committees of nine or more elect a standing committee.
        standing = max(0, rng.randint(3, 5) - 1 - deputies) if size >= 9 else 0
        return (
            [Post.SECRETARY]
            + [Post.DEPUTY_SECRETARY] * deputies
            + [Post.STANDING_MEMBER] * standing
            + [Post.COMMITTEE_MEMBER] * (size - 1 - deputies - standing)
        )
    if kind == Kind.AFFILIATED_COMMITTEE:
        return (
            [Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.DEPUTY_SECRETARY]
            + [Post.STANDING_MEMBER] * rng.randint(3, 5)
            + [Post.COMMITTEE_MEMBER] * rng.randint(8, 12)
        )
    return []


class PeoplePlanner:
    """Draws post holders for every organization, with the posts they held before."""

    def __init__(self, rng, tree):
        self.rng = rng
        self.tree = tree
        self.members = []
        self.holdings = []
        self.family = _weighted(names.FAMILY_NAMES)
        self.middle = {
            Member.Gender.MALE: _weighted(names.MALE_MIDDLE_NAMES),
            Member.Gender.FEMALE: _weighted(names.FEMALE_MIDDLE_NAMES),
        }
        self.given = {Member.Gender.MALE: names.MALE_GIVEN_NAMES, Member.Gender.FEMALE: names.FEMALE_GIVEN_NAMES}

    def plan(self):
        # Deepest first, so a grassroots committee can seat its cells' secretaries.
        for node in sorted(self.tree.nodes, key=lambda n: -n.organization.depth):
            seated = set()
            for post in _post_slots(self.rng, node):
                self._fill(node, post, seated)
        persona, holding = self._persona()
        return People(self.members, self.holdings, persona, holding)

    def _fill(self, node, post, seated):
        """Seat someone in one post of node; seated holds the ids of who already sits on its committee."""
        rng = self.rng
        kind = node.kind
        home = node if kind in CELL_KINDS else rng.choice(node.leaves)
        start = node.congress[2020]
        shared = kind in SHARED_SEAT_KINDS and post in SHARED_SEAT_POSTS and rng.random() < SHARED_SEAT
        if shared and id(home.secretary) not in seated:
            seated.add(id(home.secretary))
            self._appoint(home.secretary, node, post, CURRENT_TERM, start)
            return
        holder = self._person(home, node, post)
        seated.add(id(holder))
        if rng.random() < MID_TERM_CHANGE:
            change = random_day(rng, date(2021, 3, 1), date(2024, 6, 28))
            predecessor = self._person(rng.choice(node.leaves) if kind not in CELL_KINDS else home, node, post)
            self._appoint(predecessor, node, post, CURRENT_TERM, start, change - timedelta(days=1))
            start = change
        self._appoint(holder, node, post, CURRENT_TERM, start)
        if kind in CELL_KINDS and post == Post.SECRETARY:
            node.secretary = holder
        roll = rng.random()
        previous_end = node.congress[2020] - timedelta(days=1)
        if roll < HELD_BEFORE:
            earlier = rng.choice(PREVIOUS_POST[post])
            self._appoint(holder, node, earlier, PREVIOUS_TERM, node.congress[2015], previous_end)
        elif roll < HELD_BEFORE + TOOK_OVER and post == Post.SECRETARY:
            former = self._person(home, node, post, born=(1960, 1968))
            self._appoint(former, node, post, PREVIOUS_TERM, node.congress[2015], previous_end)

    def _appoint(self, member, node, post, term, start, end=None):
        requires_training = node.kind != Kind.AFFILIATED_COMMITTEE
        self.holdings.append(Holding(member, node.organization, post, term, start, end, requires_training))

    def _person(self, home, post_node, post, born=None):
        rng = self.rng
        senior = post == Post.SECRETARY or post_node.kind == Kind.AFFILIATED_COMMITTEE
        female_share = 0.3 if senior else 0.45
        gender = Member.Gender.FEMALE if rng.random() < female_share else Member.Gender.MALE
        family = rng.choices(self.family[0], cum_weights=self.family[1])[0]
        middle = rng.choices(self.middle[gender][0], cum_weights=self.middle[gender][1])[0]
        if middle == "Thị" and rng.random() < 0.3:
            middle = f"Thị {rng.choice(names.FEMALE_SECOND_MIDDLE_NAMES)}"
        given = rng.choice(self.given[gender])
        first_year, last_year = born or ((1960, 1985) if senior else (1965, 1995))
        birth_date = date(first_year, 1, 1) + timedelta(
            days=rng.randrange((date(last_year, 12, 31) - date(first_year, 1, 1)).days + 1)
        )
        committee = home.ancestor(Kind.AFFILIATED_COMMITTEE)
        member = Member(
            full_name=f"{family} {middle} {given}",
            birth_date=birth_date,
            gender=gender,
            organization=home.organization,
            workplace=home.workplace,
            job_title=self._job_title(home, post_node, post),
            email=_email(family, middle, given, committee) if rng.random() < 0.5 else "",
            phone=f"{rng.choice(names.MOBILE_PREFIXES)}{rng.randrange(10**7):07d}" if rng.random() < 0.35 else "",
        )
        member.fill_keys()
        self.members.append(member)
        return member

    def _job_title(self, home, post_node, post):
        rng = self.rng
        grassroots = home.ancestor(Kind.GRASSROOTS_COMMITTEE) or home
        unit_head, unit_deputy = head_titles(grassroots.unit)
        department_head, department_deputy = head_titles(home.unit)
        staff = rng.choice(names.STAFF_TITLES[home.category])
        kind = post_node.kind
        if kind == Kind.AFFILIATED_COMMITTEE:
            agency_head, agency_deputy = head_titles(post_node.unit)
            choices = {
                Post.SECRETARY: [(agency_deputy, 3), (agency_head, 1)],
                Post.DEPUTY_SECRETARY: [(agency_deputy, 1), ("Chuyên viên cao cấp", 1)],
            }.get(post, [(unit_head, 2), (unit_deputy, 1)])
        elif kind in (Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL):
            choices = {
                Post.SECRETARY: [(unit_head, 3), (unit_deputy, 2)],
                Post.DEPUTY_SECRETARY: [(unit_deputy, 2), (department_head, 1), (staff, 1)],
            }.get(post, [(department_head, 2), (unit_deputy, 1), (staff, 2)])
        elif post == Post.SECRETARY:
            choices = [(department_head, 5), (department_deputy, 3), (staff, 2)]
        else:
            choices = [(department_deputy, 3), (staff, 7)]
        titles, weights = zip(*choices, strict=True)
        return rng.choices(titles, weights)[0]

    def _persona(self):
        """The demo trainee: the secretary of the first cell of the first affiliated committee."""
        committee = self.tree.committees[0]
        cell = next(
            node
            for node in self.tree.nodes
            if node.kind == Kind.CELL and node.organization.path.startswith(committee.organization.path)
        )
        persona = cell.secretary
        persona.full_name = "Phạm Anh Thiện"
        persona.gender = Member.Gender.MALE
        persona.birth_date = date(1986, 3, 15)
        persona.email = _email("Phạm", "Anh", "Thiện", committee)
        persona.phone = "0912345678"
        persona.fill_keys()
        holding = next(
            h for h in self.holdings if h.member is persona and h.organization is cell.organization and h.is_current
        )
        return persona, holding


def _weighted(shares):
    """Names and cumulative weights, for random.choices."""
    return list(shares), list(accumulate(shares.values()))


def _email(family, middle, given, committee):
    initials = "".join(word[0] for word in f"{family} {middle}".split())
    return f"{search_key(given + initials)}@{committee.organization.code.lower()}.example"
