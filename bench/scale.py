"""National-scale data in PostgreSQL, and the time of the pages that must stay fast at that size.

    python bench/scale.py [--reuse] [--repeat 5] [--scale 1] [--database-url postgres://postgres@127.0.0.1:5432/bench_scale]
    python bench/scale.py --drop

Generates, in a scratch database the script creates (and drops with --drop; --reuse keeps a finished one and only
applies new migrations to it): a national party tree in treebeard's materialized-path form (the whole country at
the root, 67 provincial committees, about 700 district committees, 60,000 grassroots organizations, their partial
committees and cells), 5 million members with NFC Vietnamese names and the search and sort keys
common/vietnamese.py derives, the current posts of every grassroots committee, partial committee and cell
(and the previous term's, ended), and five years of training: a million enrollments a year in classes of 40 to 80
run by the district and provincial committees and the center, their sessions, results, certificates for the
completed ones (numbered gap-free per issuer and year, a few revoked and replaced), evaluations, and the
attendance of the last --attendance-years years.

Rows go in with COPY after `migrate`; the big tables' secondary indexes, unique and foreign-key constraints are
dropped for the load and created again after it (so every row is checked against them, as pg_restore does), then
VACUUM ANALYZE. The simple_history tables get no rows: bulk data has no change history. COPY passes by the signal
receivers that keep the compliance tallies (oversight/tallies.py), so the product's own rebuild() counts them after.

Then it times, through Django's test client with the whole middleware stack (DEBUG off, as in production), the
compliance page for the whole country (center staff) and for one provincial committee (center staff filtering it,
and the committee's own officer), the Member changelist searching "pham anh thien", and a trainee's /my/ page; and,
by calling the workbook's own sheet writers, the yearly workbook's summary sheets (summary, by committee, by post,
cumulative; not the roster), and the inspection checklist of the provincial committee with the most post holders
as an inspector opens it (oversight/checklist.py). --only picks pages by name. Each is run once cold, then
--repeat times; the median is reported, with the load average of the machine (other work shares its cores). Every
query a page runs is EXPLAINed to find sequential scans of big tables, and the slow ones are printed with
EXPLAIN (ANALYZE, BUFFERS).
"""

import argparse
import datetime
import io
import json
import os
import platform
import random
import secrets
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_scale"
META_TABLE = "bench_scale_meta"
TODAY = datetime.date(2026, 11, 26)  # fixed, so the data does not depend on the day it is generated
TERM = "2020–2025"
PREVIOUS_TERM = "2015–2020"
YEARS = 5
PAGE_TARGET_MS = 300
WORKBOOK_TARGET_S = 30
SEARCH = "pham anh thien"
BIG_TABLE_ROWS = 10_000  # a sequential scan of a table this size or larger is reported
COPY_BATCH = 200_000
NULL = "\\N"

# --- words ------------------------------------------------------------------------------------------------------

PROVINCES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Dương",
    "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk", "Đắk Nông",
    "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương",
    "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lạng Sơn",
    "Lào Cai", "Lâm Đồng", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên",
    "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh",
    "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Hồ Chí Minh", "Trà Vinh",
    "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]  # fmt: skip
CITIES = {"Cần Thơ", "Đà Nẵng", "Hà Nội", "Hải Phòng", "Hồ Chí Minh"}
CENTRAL_BLOCS = [
    "Đảng bộ Khối các cơ quan Trung ương",
    "Đảng bộ Khối Doanh nghiệp Trung ương",
    "Đảng bộ Công an Trung ương",
    "Đảng bộ Quân đội",
]
PLACES = [
    "An", "Bình", "Phú", "Tân", "Hòa", "Long", "Thạnh", "Mỹ", "Hưng", "Đông", "Tây", "Nam", "Bắc", "Trung", "Lộc",
    "Phước", "Thới", "Xuân", "Hải", "Sơn", "Thủy", "Quang", "Vĩnh", "Yên", "Minh", "Đức", "Thành", "Thịnh", "Lợi",
    "Nghĩa", "Hiệp", "Khánh", "Lạc", "Phong", "Thuận", "Định", "Hậu", "Giang", "Lâm", "Cường", "Tiến", "Kim",
    "Ngọc", "Hồng", "Liên", "Hà", "Châu", "Cát", "Điền", "Đồng", "Thượng", "Hạ", "Quý", "Văn", "Tường", "Diên",
    "Mai", "Tuy", "Hoàng", "Kỳ",
]  # fmt: skip
DISTRICT_KINDS = [("huyện", 70), ("quận", 10), ("thị xã", 10), ("thành phố", 10)]
COMMUNE_GRASSROOTS = [("Đảng bộ xã", 60), ("Đảng bộ phường", 12), ("Đảng bộ thị trấn", 6)]
AGENCY_GRASSROOTS = [
    "Đảng bộ Công ty Cổ phần", "Đảng bộ Bệnh viện Đa khoa", "Đảng bộ Cơ quan Ủy ban nhân dân",
    "Đảng bộ Trung tâm Y tế", "Đảng bộ Công an", "Đảng bộ Quân sự",
]  # fmt: skip
GRASSROOTS_CELLS = [
    "Chi bộ Trường Tiểu học", "Chi bộ Trường Trung học cơ sở", "Chi bộ Trường Mầm non", "Chi bộ Trạm Y tế",
    "Chi bộ Công ty TNHH", "Chi bộ Ngân hàng Nông nghiệp chi nhánh", "Chi bộ Phòng Tài chính - Kế hoạch",
    "Chi bộ Hợp tác xã",
]  # fmt: skip
VILLAGE_CELLS = ["Chi bộ thôn", "Chi bộ ấp", "Chi bộ khu phố", "Chi bộ tổ dân phố", "Chi bộ bản"]
EXTRA_PROGRAMS = [
    {
        "code": "CT-DVM",
        "name": "Bồi dưỡng lý luận chính trị dành cho đảng viên mới",
        "qualifying_posts": [],
        "topics": [(f"Chuyên đề {n}", 4) for n in range(1, 9)],
    },
    {
        "code": "CT-NQ",
        "name": "Học tập, quán triệt nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng",
        "qualifying_posts": [],
        "topics": [(f"Chuyên đề {n}", 4) for n in range(1, 7)],
    },
]
# Share of the enrollments that are not a post holder's own training, by program code.
OPEN_PROGRAM_WEIGHTS = {"CT-DVM": 40, "CT-NQ": 30, "CT-BTCB": 12, "CT-CUVCS": 12, "CT-UBKTCS": 6}


# --- the scratch database ---------------------------------------------------------------------------------------


def parse_url(url):
    import dj_database_url

    config = dj_database_url.parse(url)
    return {
        "dbname": config["NAME"],
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
    }


def server_connection(url):
    """A connection to the server's maintenance database, to create, inspect or drop the scratch one."""
    import psycopg2

    config = parse_url(url)
    connection = psycopg2.connect(**{**config, "dbname": "postgres"})
    connection.autocommit = True
    return connection, config["dbname"]


def scratch_state(url):
    """None when the database does not exist; else the parameters of the data it holds ({} while unfinished),
    or False when it was not made by this script (and must not be dropped)."""
    import psycopg2

    connection, name = server_connection(url)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
    connection.close()
    if not exists:
        return None
    database = psycopg2.connect(**parse_url(url))
    try:
        with database.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
            if cursor.fetchone()[0] is None:
                return False
            cursor.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'params'")
            row = cursor.fetchone()
            return json.loads(row[0]) if row else {}
    finally:
        database.close()


def create_database(url):
    import psycopg2

    connection, name = server_connection(url)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    database = psycopg2.connect(**parse_url(url))
    with database, database.cursor() as cursor:
        # Marks the database as this script's scratch database, so that a later run may drop it.
        cursor.execute(f"CREATE TABLE {META_TABLE} (key text PRIMARY KEY, value text NOT NULL)")
    database.close()


def drop_database(url):
    state = scratch_state(url)
    if state is False:
        sys.exit(f"{parse_url(url)['dbname']} was not created by bench/scale.py: not dropping it.")
    connection, name = server_connection(url)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    connection.close()


def setup_django(url):
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
            "STATIC_MANIFEST": "0",  # no collectstatic needed; static URLs are not what is measured
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),  # no request log lines between the figures
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def set_meta(key, value):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = %s",
            [key, json.dumps(value), json.dumps(value)],
        )


def get_meta(key):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {META_TABLE} WHERE key = %s", [key])
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


# --- COPY -------------------------------------------------------------------------------------------------------


def _cell(value):
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


class Copy:
    """Rows streamed into one table with COPY, in batches; values in the model's field order given."""

    def __init__(self, model, fields):
        self.model = model
        self.columns = ", ".join(f'"{model._meta.get_field(name).column}"' for name in fields)
        self.lines = []
        self.rows = 0

    def add(self, *values):
        self.lines.append("\t".join(map(_cell, values)))
        if len(self.lines) >= COPY_BATCH:
            self.flush()

    def flush(self):
        from django.db import connection

        if not self.lines:
            return
        self.lines.append("")
        data = io.StringIO("\n".join(self.lines))
        with connection.cursor() as cursor:
            cursor.copy_expert(f'COPY "{self.model._meta.db_table}" ({self.columns}) FROM STDIN', data, size=1 << 20)
        self.rows += len(self.lines) - 1
        self.lines = []


def text_safe(*word_lists):
    """COPY's text format needs tabs, newlines and backslashes escaped; the word lists have none."""
    for words in word_lists:
        for word in words:
            assert not set(str(word)) & {"\t", "\n", "\\"}, word


class LoadConstraints:
    """Drops the secondary indexes, unique and foreign-key constraints of the tables to load, and creates them
    again afterwards: loading is several times faster, and every row is still checked when they come back."""

    def __init__(self, models):
        from django.db import connection

        self.tables = [model._meta.db_table for model in models]
        self.foreign_keys, self.uniques, self.indexes = [], [], []
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(
                    "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
                    [table],
                )
                for name, kind, definition in cursor.fetchall():
                    (self.foreign_keys if kind == "f" else self.uniques).append((table, name, definition))
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                    [table, table],
                )
                self.indexes += [(table, name, definition) for name, definition in cursor.fetchall()]

    def drop(self):
        from django.db import connection

        with connection.cursor() as cursor:
            for table, name, _definition in self.foreign_keys + self.uniques:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for _table, name, _definition in self.indexes:
                cursor.execute(f'DROP INDEX "{name}"')

    def restore(self):
        from django.db import connection

        with connection.cursor() as cursor:
            for _table, _name, definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in self.uniques + self.foreign_keys:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        return len(self.indexes) + len(self.uniques) + len(self.foreign_keys)


# --- the tree ---------------------------------------------------------------------------------------------------


class Tree:
    """Organizations as parallel lists, indexed by id - 1; paths are given once the whole tree is known."""

    def __init__(self):
        self.kind, self.code, self.name, self.parent, self.children = [], [], [], [], []
        self.province, self.district, self.grassroots = [], [], []
        self.can_self_organize = []

    def add(self, parent, kind, code, name, can_self_organize=False):
        from common.vietnamese import normalize_name

        index = len(self.kind)
        self.kind.append(kind)
        self.code.append(code)
        self.name.append(normalize_name(name))
        self.parent.append(parent)
        self.children.append([])
        self.can_self_organize.append(can_self_organize)
        depth = 1 if parent is None else self.depth_of(parent) + 1
        self.province.append(index if depth == 2 else (self.province[parent] if depth > 2 else None))
        self.district.append(index if depth == 3 else (self.district[parent] if depth > 3 else None))
        self.grassroots.append(index if depth == 4 else (self.grassroots[parent] if depth > 4 else None))
        if parent is not None:
            self.children[parent].append(index)
        return index

    def depth_of(self, index):
        depth = 1
        while self.parent[index] is not None:
            index = self.parent[index]
            depth += 1
        return depth

    def paths(self):
        """treebeard's paths, siblings in the order of their code (node_order_by), and each node's depth."""
        from organizations.models import Organization

        path = [""] * len(self.kind)
        path[0] = Organization._get_path(None, 1, 1)
        stack = [0]
        while stack:
            index = stack.pop()
            depth = len(path[index]) // Organization.steplen + 1
            for step, child in enumerate(sorted(self.children[index], key=self.code.__getitem__), 1):
                path[child] = Organization._get_path(path[index], depth, step)
                stack.append(child)
        return path


def place(rng):
    first, second = rng.sample(PLACES, 2)
    return f"{first} {second}"


def weighted(rng, pairs):
    return rng.choices([value for value, _weight in pairs], weights=[weight for _value, weight in pairs])[0]


def build_tree(rng, grassroots_count):
    """The country: provincial committees (and the central blocs), district committees, grassroots organizations
    (committees with cells, some with partial committees; and grassroots cells), cells. Returns the tree and its
    leaves (the organizations members belong to) with a relative size each."""
    from demo import names
    from organizations.models import Organization

    Kind = Organization.Kind
    tree = Tree()
    root = tree.add(None, Kind.BLOC, "TQ", "Đảng Cộng sản Việt Nam (toàn quốc)", can_self_organize=True)
    committees = []
    for index, province in enumerate(PROVINCES, 1):
        name = f"Đảng bộ {'thành phố' if province in CITIES else 'tỉnh'} {province}"
        committees.append(tree.add(root, Kind.AFFILIATED_COMMITTEE, f"T{index:02d}", name, can_self_organize=True))
    for index, name in enumerate(CENTRAL_BLOCS, len(PROVINCES) + 1):
        committees.append(tree.add(root, Kind.AFFILIATED_COMMITTEE, f"T{index:02d}", name, can_self_organize=True))
    # About 86 grassroots organizations per district-level committee, as in the country.
    district_count = max(len(committees), round(grassroots_count / 86))
    districts = []
    for number in range(district_count):
        province = committees[number % len(committees)]
        sequence = len(tree.children[province]) + 1
        if tree.name[province] in CENTRAL_BLOCS:
            agency = names.AFFILIATED_COMMITTEES[number % len(names.AFFILIATED_COMMITTEES)][1]
            name = f"Đảng ủy {agency}"
        else:
            name = f"Đảng bộ {weighted(rng, DISTRICT_KINDS)} {place(rng)}"
        code = f"{tree.code[province]}-H{sequence:02d}"
        districts.append(tree.add(province, Kind.AFFILIATED_COMMITTEE, code, name, can_self_organize=True))
    leaves, sizes = [], []
    district_weights = [rng.uniform(0.5, 1.5) for _district in districts]
    for district in rng.choices(districts, weights=district_weights, k=grassroots_count):
        code = f"{tree.code[district]}-{len(tree.children[district]) + 1:03d}"
        if rng.random() < 0.45:
            name = f"{rng.choice(GRASSROOTS_CELLS)} {place(rng)}"
            leaves.append(tree.add(district, Kind.GRASSROOTS_CELL, code, name))
            sizes.append(rng.uniform(0.6, 1.6))
            continue
        commune = rng.random() < 0.7
        prefix = weighted(rng, COMMUNE_GRASSROOTS) if commune else rng.choice(AGENCY_GRASSROOTS)
        grassroots = tree.add(district, Kind.GRASSROOTS_COMMITTEE, code, f"{prefix} {place(rng)}")
        parents = [grassroots]
        if rng.random() < 0.1:
            for number in range(1, rng.randint(2, 4) + 1):
                unit = rng.choice(names.PARTIAL_UNITS)
                parents.append(
                    tree.add(grassroots, Kind.PARTIAL_COMMITTEE, f"{code}-P{number}", f"Đảng bộ bộ phận {unit}")
                )
        for parent in parents:
            for number in range(1, rng.randint(3, 13 if parent == grassroots else 6) + 1):
                if commune:
                    name = f"{rng.choice(VILLAGE_CELLS)} {place(rng) if rng.random() < 0.6 else number}"
                else:
                    name = f"Chi bộ {rng.choice(names.DEPARTMENTS)}"
                leaves.append(tree.add(parent, Kind.CELL, f"{tree.code[parent]}-{number:02d}", name))
                sizes.append(rng.uniform(0.3, 1.7))
    return tree, leaves, sizes


def load_tree(tree):
    from common.vietnamese import search_key
    from organizations.models import Organization

    copy = Copy(
        Organization,
        ["id", "path", "depth", "numchild", "kind", "code", "name", "short_name", "can_self_organize", "search_key"],
    )
    paths = tree.paths()
    for index, path in enumerate(paths):
        name = tree.name[index]
        copy.add(
            index + 1,
            path,
            len(path) // Organization.steplen,
            len(tree.children[index]),
            tree.kind[index],
            tree.code[index],
            name,
            "",
            tree.can_self_organize[index],
            search_key(name),
        )
    copy.flush()
    return paths


# --- members and posts ------------------------------------------------------------------------------------------


class People:
    """What later steps read about each member (index = id - 1)."""

    def __init__(self):
        self.organization = []  # tree index of the member's cell
        self.full_name = []
        self.birth_date = []
        self.by_leaf = defaultdict(list)
        self.post = {}  # member index -> the highest current post held


def name_parts(rng, count):
    from demo import names

    families = rng.choices(list(names.FAMILY_NAMES), weights=list(names.FAMILY_NAMES.values()), k=count)
    male = rng.choices(list(names.MALE_MIDDLE_NAMES), weights=list(names.MALE_MIDDLE_NAMES.values()), k=count)
    female = rng.choices(list(names.FEMALE_MIDDLE_NAMES), weights=list(names.FEMALE_MIDDLE_NAMES.values()), k=count)
    return families, male, female


def load_members(rng, tree, leaves, sizes, count):
    """`count` members spread over the cells at random (ids are not grouped by organization), with the keys the
    model derives. Names repeat, so each name's keys are computed once."""
    from common.vietnamese import normalize_name, search_key, sort_key
    from demo import names
    from organizations.models import Member

    text_safe(names.MALE_GIVEN_NAMES, names.FEMALE_GIVEN_NAMES, names.FEMALE_SECOND_MIDDLE_NAMES)
    people = People()
    copy = Copy(
        Member,
        [
            "id", "full_name", "birth_date", "gender", "organization", "workplace", "job_title", "email", "phone",
            "user", "search_key", "sort_key",
        ],
    )  # fmt: skip
    keys = {}
    ascii_words = {}
    titles = sorted({title for group in names.STAFF_TITLES.values() for title in group})
    workplace = {leaf: tree.name[leaf].removeprefix("Chi bộ ") for leaf in leaves}
    first_day = datetime.date(1955, 1, 1).toordinal()
    birth_dates = [datetime.date.fromordinal(first_day + day).isoformat() for day in range(48 * 365)]
    organizations = rng.choices(leaves, weights=sizes, k=count)
    families, male_middles, female_middles = name_parts(rng, count)
    for index in range(count):
        if rng.random() < 0.5:
            gender = Member.Gender.MALE
            full_name = f"{families[index]} {male_middles[index]} {rng.choice(names.MALE_GIVEN_NAMES)}"
        else:
            gender = Member.Gender.FEMALE
            middle = female_middles[index]
            if middle == "Thị" and rng.random() < 0.3:
                middle = f"Thị {rng.choice(names.FEMALE_SECOND_MIDDLE_NAMES)}"
            full_name = f"{families[index]} {middle} {rng.choice(names.FEMALE_GIVEN_NAMES)}"
        found = keys.get(full_name)
        if found is None:
            normalized = normalize_name(full_name)
            found = keys[full_name] = (normalized, search_key(normalized), sort_key(normalized))
        normalized, member_search_key, member_sort_key = found
        organization = organizations[index]
        birth_date = rng.choice(birth_dates)
        email = phone = ""
        if rng.random() < 0.4:
            words = ascii_words.get(member_search_key)
            if words is None:
                words = ascii_words[member_search_key] = member_search_key.split()
            email = f"{words[-1]}.{words[0]}{index + 1}@{'gmail.com' if index % 3 else 'dangcongsan.vn'}"
        if rng.random() < 0.7:
            phone = f"{rng.choice(names.MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
        copy.add(
            index + 1,
            normalized,
            birth_date,
            gender,
            organization + 1,
            workplace[organization],
            rng.choice(titles) if rng.random() < 0.6 else "",
            email,
            phone,
            None,
            member_search_key,
            member_sort_key,
        )
        people.organization.append(organization)
        people.full_name.append(normalized)
        people.birth_date.append(birth_date)
        people.by_leaf[organization].append(index)
    copy.flush()
    return people


POST_RANK = {"secretary": 0, "deputy_secretary": 1, "standing_member": 2, "committee_member": 3}


def post_counts(rng, kind, size):
    """How many of each post an organization of this kind (with `size` members below it) has."""
    from organizations.models import Organization, Post

    Kind = Organization.Kind
    if kind == Kind.GRASSROOTS_COMMITTEE:
        standing = rng.randint(1, 3) if size > 150 else 0
        return {
            Post.SECRETARY: 1,
            Post.DEPUTY_SECRETARY: rng.randint(1, 2),
            Post.STANDING_MEMBER: standing,
            Post.COMMITTEE_MEMBER: rng.randint(3, 8),
        }
    if kind == Kind.PARTIAL_COMMITTEE:
        return {Post.SECRETARY: 1, Post.DEPUTY_SECRETARY: 1, Post.COMMITTEE_MEMBER: rng.randint(2, 4)}
    if kind == Kind.GRASSROOTS_CELL:
        return {Post.SECRETARY: 1, Post.DEPUTY_SECRETARY: 1, Post.COMMITTEE_MEMBER: rng.randint(0, 3)}
    return {
        Post.SECRETARY: 1,
        Post.DEPUTY_SECRETARY: 1 if size >= 10 else 0,
        Post.COMMITTEE_MEMBER: rng.randint(1, 3) if size >= 30 else 0,
    }


def load_appointments(rng, tree, people):
    """The current term's posts of every grassroots committee, partial committee, grassroots cell and cell, held
    by members below it; and the previous term's, ended, for most of them. Returns the current ones as
    (member index, post)."""
    from organizations.models import Appointment, Organization

    Kind = Organization.Kind
    copy = Copy(
        Appointment,
        [
            "id", "member", "organization", "post", "term_label", "start_date", "end_date", "requires_training",
            "is_current",
        ],
    )  # fmt: skip
    with_posts = {Kind.GRASSROOTS_COMMITTEE, Kind.PARTIAL_COMMITTEE, Kind.GRASSROOTS_CELL, Kind.CELL}
    below = defaultdict(list)  # organization -> members of the cells below it
    for leaf, members in people.by_leaf.items():
        index = leaf
        while index is not None and tree.kind[index] in with_posts:
            below[index].append(members)
            index = tree.parent[index]
    current = []
    next_id = 1
    for organization in range(len(tree.kind)):
        if tree.kind[organization] not in with_posts or not below[organization]:
            continue
        groups = below[organization]
        size = sum(len(group) for group in groups)
        holders = set()
        for post, count in post_counts(rng, tree.kind[organization], size).items():
            for _seat in range(count):
                for _attempt in range(5):
                    group = rng.choice(groups)
                    member = group[rng.randrange(len(group))]
                    if member not in holders:
                        break
                else:
                    continue
                holders.add(member)
                start = datetime.date(2020, rng.randint(5, 10), rng.randint(1, 28))
                copy.add(next_id, member + 1, organization + 1, post, TERM, start, None, rng.random() > 0.01, True)
                next_id += 1
                current.append((member, post))
                if POST_RANK[post] < POST_RANK.get(people.post.get(member), 9):
                    people.post[member] = post
                if rng.random() < 0.8:
                    previous = member if rng.random() < 0.5 else group[rng.randrange(len(group))]
                    started = datetime.date(2015, rng.randint(5, 10), rng.randint(1, 28))
                    copy.add(
                        next_id, previous + 1, organization + 1, post, PREVIOUS_TERM, started,
                        start - datetime.timedelta(days=1), True, False,
                    )  # fmt: skip
                    next_id += 1
    copy.flush()
    return current, copy.rows


# --- the catalog ------------------------------------------------------------------------------------------------


def load_catalog(rng, tree, paths):
    """Programs and topics, a pool of lecturers per province (and the center's), and an issuer (register book)
    for every organization that runs classes."""
    from certificates.models import IssuerProfile
    from common.vietnamese import search_key
    from courses.models import Lecturer, Program, Topic
    from demo import names
    from organizations.models import Organization

    programs = {}
    for spec in names.PROGRAMS + EXTRA_PROGRAMS:
        program = Program.objects.create(
            code=spec["code"],
            name=spec["name"],
            version=spec.get("version", "2021"),
            status=Program.Status.ISSUED,
            qualifying_posts=spec["qualifying_posts"],
        )
        program.topic_ids = [
            topic.pk
            for topic in Topic.objects.bulk_create(
                Topic(program=program, order=order, title=title, hours=hours)
                for order, (title, hours) in enumerate(spec["topics"], 1)
            )
        ]
        programs[spec["code"]] = program
    families, male, _female = name_parts(rng, 2000)
    lecturers = Lecturer.objects.bulk_create(
        Lecturer(
            name=(full_name := f"{families[n]} {male[n]} {rng.choice(names.MALE_GIVEN_NAMES)}"),
            search_key=search_key(full_name),
            academic_title=rng.choice(list(names.LECTURER_TITLES)),
            unit=rng.choice(names.LECTURER_UNITS),
        )
        for n in range(2000)
    )
    pools = defaultdict(list)
    for number, lecturer in enumerate(lecturers):
        pools[number % (len(tree.children[0]) + 1)].append(lecturer.pk)
    lecturer_pool = {0: pools[0]}
    for number, province in enumerate(tree.children[0], 1):
        lecturer_pool[province] = pools[number]
    organizers = [index for index in range(len(tree.kind)) if tree.can_self_organize[index]]
    IssuerProfile.objects.bulk_create(
        IssuerProfile(
            organization_id=index + 1,
            header_line_1=tree.name[tree.parent[index]].upper() if index else "BAN CHẤP HÀNH TRUNG ƯƠNG",
            header_line_2=tree.name[index].upper(),
            signer_title="BÍ THƯ",
            signer_name=f"{families[index % 2000]} {male[index % 2000]} Thành",
            register_suffix=f"CC-{tree.code[index]}",
        )
        for index in organizers
    )
    issuers = {
        organization_id: (pk, suffix, title, name)
        for organization_id, pk, suffix, title, name in IssuerProfile.objects.values_list(
            "organization_id", "pk", "register_suffix", "signer_title", "signer_name"
        )
    }
    assert len(paths) == Organization.objects.count()
    return programs, lecturer_pool, issuers


# --- five years of training -------------------------------------------------------------------------------------


class Counters:
    def __init__(self):
        self.next = defaultdict(lambda: 1)
        self.register = defaultdict(int)  # (issuer, year) -> last number

    def take(self, table):
        value = self.next[table]
        self.next[table] = value + 1
        return value


def plan_enrollments(rng, people, current, programs, per_year, years):
    """{year: [(member, program code, post at the time)]}: most post holders take their post's program once
    within the term, and the rest of each year's places go to members at large."""
    qualifying = {}
    for code, program in programs.items():
        for post in program.qualifying_posts:
            qualifying[post] = code
    plan = defaultdict(list)
    for member, post in current:
        if post in qualifying and rng.random() < 0.8:
            plan[rng.choice(years)].append((member, qualifying[post], post))
    codes, weights = list(OPEN_PROGRAM_WEIGHTS), list(OPEN_PROGRAM_WEIGHTS.values())
    member_count = len(people.organization)
    for year in years:
        missing = per_year - len(plan[year])
        members = [rng.randrange(member_count) for _n in range(missing)]
        for member, code in zip(members, rng.choices(codes, weights=weights, k=missing), strict=True):
            plan[year].append((member, code, people.post.get(member, "")))
    return plan


RUNNING = "running"  # a phase the dates give (courses.lifecycle.phase), stored as open


def course_status(start, end):
    """The phase a bench class is made in: closed (certified once its certificates are issued, a week after its
    end), running, open or planned."""
    from courses.models import Course

    if end < TODAY:
        return Course.Status.CERTIFIED if end + datetime.timedelta(days=7) <= TODAY else Course.Status.CLOSED
    if start <= TODAY:
        return RUNNING
    return Course.Status.OPEN if (start - TODAY).days < 45 else Course.Status.PLANNED


def stored_status(status):
    from courses.models import Course

    return Course.Status.OPEN if status == RUNNING else status


class Loader:
    """COPY streams of the training tables, kept open across years."""

    def __init__(self):
        from certificates.models import Certificate
        from courses.models import Course, Session
        from enrollments.models import Attendance, Enrollment, Evaluation, LecturerRating

        self.courses = Copy(
            Course,
            [
                "id", "code", "program", "organizer", "year", "intake", "number", "start_date", "end_date", "venue",
                "capacity", "nomination_deadline", "status",
            ],
        )  # fmt: skip
        self.sessions = Copy(Session, ["id", "course", "date", "period", "topic", "lecturer"])
        self.enrollments = Copy(
            Enrollment,
            [
                "id", "course", "member", "nominated_by", "post", "status", "final_score", "grade", "attended_percent",
                "result_reasons", "result_overridden", "override_reason",
            ],
        )  # fmt: skip
        self.attendance = Copy(Attendance, ["id", "enrollment", "session", "status"])
        self.certificates = Copy(
            Certificate,
            [
                "id", "enrollment", "issuer", "year", "number", "register_number", "verification_code", "issued_on",
                "issued_by", "holder_name", "holder_birth_date", "holder_post", "holder_organization",
                "program_name", "course_title", "grade", "signer_title", "signer_name", "status", "revoke_reason",
                "revoked_by", "revoked_at", "replaces", "pdf", "pdf_sha256",
            ],
        )  # fmt: skip
        self.evaluations = Copy(
            Evaluation,
            [
                "id",
                "enrollment",
                "organization_rating",
                "content_rating",
                "materials_rating",
                "comments",
                "submitted_at",
            ],
        )
        self.ratings = Copy(LecturerRating, ["id", "evaluation", "lecturer", "topic", "rating"])

    def flush(self):
        for copy in vars(self).values():
            copy.flush()

    def counts(self):
        return {name: copy.rows for name, copy in vars(self).items()}


def load_year(rng, year, plan, tree, people, programs, lecturer_pool, issuers, counters, loader, with_attendance):
    """One year's classes: the planned trainees grouped by the committee that trains them (their district's,
    their province's, or the center) and program, in classes of 40 to 80."""
    from certificates.models import CODE_ALPHABET
    from courses.models import Course
    from courses.wording import course_title
    from enrollments.models import Attendance, Enrollment
    from enrollments.rules import evaluate_completion, grade_for
    from organizations.models import Post

    Status = Enrollment.Status
    post_labels = {value: str(label) for value, label in Post.choices}
    grades = {tenths: grade_for(tenths / 10) or "" for tenths in range(0, 101)}
    code_table = bytes(ord(CODE_ALPHABET[byte % len(CODE_ALPHABET)]) for byte in range(256))
    groups = defaultdict(dict)
    for member, code, post in plan:
        draw = rng.random()
        leaf = people.organization[member]
        organizer = tree.district[leaf] if draw < 0.8 else (tree.province[leaf] if draw < 0.95 else 0)
        groups[organizer, code].setdefault(member, post)  # one place per trainee in a class
    sequence = defaultdict(int)
    for (organizer, code), trainees in sorted(groups.items()):
        program = programs[code]
        trainees = list(trainees.items())
        rng.shuffle(trainees)
        pool = lecturer_pool[tree.province[organizer] if organizer else 0]
        topics = program.topic_ids
        days = (len(topics) + 1) // 2
        while trainees:
            size = rng.randint(40, 80)
            members, trainees = trainees[:size], trainees[size:]
            course_id = counters.take("course")
            number = sequence[organizer]
            sequence[organizer] += 1
            intake, number = divmod(number, 30)
            start = datetime.date(year, 1, 6) + datetime.timedelta(days=rng.randrange(330))
            end = start + datetime.timedelta(days=days - 1)
            status = course_status(start, end)
            loader.courses.add(
                course_id,
                f"{year}-{tree.code[organizer]}-K{intake + 1}-L{number + 1}",
                program.pk,
                organizer + 1,
                year,
                intake + 1,
                number + 1,
                start,
                end,
                f"Hội trường {tree.name[organizer].removeprefix('Đảng bộ ')}",
                (len(members) // 10 + 1) * 10,
                start - datetime.timedelta(days=7),
                stored_status(status),
            )
            session_ids, lecturers = [], []
            for slot, topic in enumerate(topics):
                session_id = counters.take("session")
                lecturer = pool[rng.randrange(len(pool))]
                date = start + datetime.timedelta(days=slot // 2)
                loader.sessions.add(session_id, course_id, date, 1 + slot % 2, topic, lecturer)
                session_ids.append((session_id, date))
                lecturers.append((lecturer, topic))
            held = [session_id for session_id, date in session_ids if date <= TODAY]
            title = course_title(program.name, intake + 1, number + 1, year)
            issued_on = end + datetime.timedelta(days=7)
            issuer, suffix, signer_title, signer_name = issuers[organizer + 1]
            for member, post in members:
                enrollment_id = counters.take("enrollment")
                leaf = people.organization[member]
                score = attended = grade = None
                reasons = ""
                if status in (Course.Status.CLOSED, Course.Status.CERTIFIED):
                    draw = rng.random()
                    sessions = len(held)
                    if draw < 0.04:
                        state, present, score = Status.WITHDRAWN, rng.randint(0, sessions // 3), None
                    elif draw < 0.12:
                        state = Status.NOT_COMPLETED
                        if rng.random() < 0.5:
                            present, score = rng.randint(sessions // 2, sessions - 2), rng.randint(50, 90)
                        else:
                            present, score = rng.randint(sessions - 1, sessions), rng.randint(20, 49)
                    else:
                        state, present, score = Status.COMPLETED, rng.randint(sessions - 1, sessions), None
                        score = rng.randint(50, 100)
                    attended = round(100 * present / sessions, 1)
                    if state == Status.COMPLETED:
                        grade = grades[score]
                    elif state == Status.NOT_COMPLETED:
                        result = evaluate_completion(
                            ["present"] * present,
                            sessions,
                            score / 10,
                            threshold_percent=program.completion_threshold,
                            pass_score=float(program.pass_score),
                        )
                        reasons = "\\n".join(result.reasons)
                elif status == RUNNING:
                    state = Status.WITHDRAWN if rng.random() < 0.02 else Status.STUDYING
                    present = len(held) if rng.random() < 0.8 else max(0, len(held) - 1)
                else:
                    state, present = Status.REGISTERED, 0
                loader.enrollments.add(
                    enrollment_id,
                    course_id,
                    member + 1,
                    tree.district[leaf] + 1,
                    post,
                    state,
                    None if score is None else f"{score / 10:.1f}",
                    grade or "",
                    attended,
                    reasons,
                    False,
                    "",
                )
                if with_attendance and held and state != Status.REGISTERED:
                    absent = set(rng.sample(held, len(held) - min(present, len(held))))
                    for session_id in held:
                        if session_id in absent:
                            mark = Attendance.Status.EXCUSED if rng.random() < 0.5 else Attendance.Status.ABSENT
                        else:
                            mark = Attendance.Status.LATE if rng.random() < 0.08 else Attendance.Status.PRESENT
                        loader.attendance.add(counters.take("attendance"), enrollment_id, session_id, mark)
                if state != Status.COMPLETED or issued_on > TODAY:
                    continue
                holder = (
                    people.full_name[member],
                    people.birth_date[member],
                    post_labels.get(post, ""),
                    tree.name[leaf],
                    program.name,
                    title,
                    grade,
                    signer_title,
                    signer_name,
                )
                # One in two hundred is revoked a month later and replaced the same day.
                revoked_on = issued_on + datetime.timedelta(days=30)
                revoked = rng.random() < 0.005 and revoked_on <= TODAY
                register = (issuer, suffix)
                revoked_at = f"{revoked_on} 09:00:00+07" if revoked else None
                first_id = add_certificate(
                    loader, counters, rng, code_table, enrollment_id, register, issued_on, holder, revoked_at
                )
                if revoked:
                    replacing = {"replaces": first_id}
                    add_certificate(
                        loader, counters, rng, code_table, enrollment_id, register, revoked_on, holder, **replacing
                    )
                if rng.random() < 0.3 and issued_on - datetime.timedelta(days=6) <= TODAY:
                    evaluation_id = counters.take("evaluation")
                    loader.evaluations.add(
                        evaluation_id,
                        enrollment_id,
                        rng.randint(3, 5),
                        rng.randint(3, 5),
                        rng.randint(3, 5),
                        "",
                        f"{end + datetime.timedelta(days=1)} 10:00:00+07",
                    )
                    for lecturer, topic in dict(lecturers[:2]).items():
                        loader.ratings.add(counters.take("rating"), evaluation_id, lecturer, topic, rng.randint(3, 5))


def add_certificate(
    loader, counters, rng, code_table, enrollment_id, register, issued_on, holder, revoked_at=None, replaces=None
):
    """A certificate under the next number of its issuer's register for the year it is issued."""
    from certificates.models import CODE_LENGTH, Certificate, format_register_number

    issuer, suffix = register
    certificate_id = counters.take("certificate")
    year = issued_on.year
    counters.register[issuer, year] += 1
    number = counters.register[issuer, year]
    loader.certificates.add(
        certificate_id,
        enrollment_id,
        issuer,
        year,
        number,
        format_register_number(number, year, suffix),
        rng.randbytes(CODE_LENGTH).translate(code_table).decode(),
        issued_on,
        None,
        *holder,
        Certificate.Status.REVOKED if revoked_at else Certificate.Status.VALID,
        "Sai ngày sinh; đã cấp giấy chứng nhận thay thế" if revoked_at else "",
        None,
        revoked_at,
        replaces,
        "",
        "",
    )
    return certificate_id


# --- generation -------------------------------------------------------------------------------------------------


class Phases:
    """Wall-clock time of each step, printed as it ends."""

    def __init__(self):
        self.seconds = {}

    def run(self, name, function, *args, **kwargs):
        started = time.perf_counter()
        result = function(*args, **kwargs)
        self.seconds[name] = time.perf_counter() - started
        print(f"  {name}: {self.seconds[name]:.1f} s", flush=True)
        return result


def bulk_models():
    from certificates.models import Certificate
    from courses.models import Course, Session
    from enrollments.models import Attendance, Enrollment, Evaluation, LecturerRating
    from organizations.models import Appointment, Member, Organization

    return [
        Organization, Member, Appointment, Course, Session, Enrollment, Attendance, Certificate, Evaluation,
        LecturerRating,
    ]  # fmt: skip


def load_training(rng, tree, people, current, catalog, params):
    from certificates.models import RegisterCounter

    programs, lecturer_pool, issuers = catalog
    years = list(range(TODAY.year - YEARS + 1, TODAY.year + 1))
    plan = plan_enrollments(rng, people, current, programs, params["enrollments_per_year"], years)
    counters = Counters()
    loader = Loader()
    for year in years:
        started = time.perf_counter()
        with_attendance = year > TODAY.year - params["attendance_years"]
        load_year(rng, year, plan.pop(year), tree, people, programs, lecturer_pool, issuers, counters, loader,
                  with_attendance)  # fmt: skip
        print(f"    {year}: {time.perf_counter() - started:.1f} s", flush=True)
    loader.flush()
    RegisterCounter.objects.bulk_create(
        RegisterCounter(issuer_id=issuer, year=year, last_number=number)
        for (issuer, year), number in counters.register.items()
    )
    return loader.counts()


def create_users():
    """The center's staff (an officer of the root), the officer of the biggest provincial committee, and a
    post holder with classes in the most years, one of them this year's (with attendance)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from organizations import roles
    from organizations.models import Member, Officer, Organization

    User = get_user_model()
    staff = User.objects.create_user("bench_staff", is_staff=True)
    staff.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
    Officer.objects.create(user=staff, organization=Organization.objects.get(depth=1))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT substr(o.path, 1, 8) FROM organizations_appointment a "
            "JOIN organizations_organization o ON o.id = a.organization_id WHERE a.is_current "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        province = Organization.objects.get(path=cursor.fetchone()[0])
        cursor.execute(
            "SELECT e.member_id FROM enrollments_enrollment e JOIN courses_course c ON c.id = e.course_id "
            "WHERE e.member_id IN (SELECT member_id FROM organizations_appointment WHERE is_current) "
            "GROUP BY e.member_id HAVING bool_or(c.year = %s AND c.status IN ('closed', 'certified', 'open')) "
            "ORDER BY count(DISTINCT c.year) DESC, e.member_id LIMIT 1",
            [TODAY.year],
        )
        member_id = cursor.fetchone()[0]
    officer = User.objects.create_user("bench_officer", is_staff=True)
    officer.groups.add(Group.objects.get(name=roles.OFFICER))
    Officer.objects.create(user=officer, organization=province)
    trainee = User.objects.create_user("bench_trainee")
    Member.objects.filter(pk=member_id).update(user=trainee)
    return {"province": province.pk, "trainee_member": member_id}


CHECKS = {
    "organizations whose depth is not len(path)/4": (
        "SELECT count(*) FROM organizations_organization WHERE depth * 4 <> length(path)"
    ),
    "organizations without their parent": (
        "SELECT count(*) FROM organizations_organization o WHERE o.depth > 1 AND NOT EXISTS "
        "(SELECT 1 FROM organizations_organization p WHERE p.path = substr(o.path, 1, length(o.path) - 4))"
    ),
    "organizations whose numchild is wrong": (
        "SELECT count(*) FROM organizations_organization o LEFT JOIN (SELECT substr(path, 1, length(path) - 4) "
        "AS parent, count(*) AS n FROM organizations_organization WHERE depth > 1 GROUP BY 1) c "
        "ON c.parent = o.path WHERE o.numchild <> coalesce(c.n, 0)"
    ),
    "siblings whose path order is not their code order": (
        "SELECT count(*) FROM (SELECT code, lag(code) OVER (PARTITION BY substr(path, 1, length(path) - 4) "
        "ORDER BY path) AS previous FROM organizations_organization) s WHERE s.code <= s.previous"
    ),
    "registers (issuer, year) with a gap": (
        "SELECT count(*) FROM (SELECT issuer_id, year, count(*) AS n, min(number) AS first, max(number) AS last "
        "FROM certificates_certificate GROUP BY 1, 2) r LEFT JOIN certificates_registercounter c "
        "ON c.issuer_id = r.issuer_id AND c.year = r.year "
        "WHERE r.first <> 1 OR r.last <> r.n OR c.last_number IS DISTINCT FROM r.last"
    ),
    "valid certificates of an enrollment not completed": (
        "SELECT count(*) FROM certificates_certificate c JOIN enrollments_enrollment e ON e.id = c.enrollment_id "
        "WHERE c.status = 'valid' AND e.status <> 'completed'"
    ),
}


def run_checks():
    from django.db import connection

    failed = []
    with connection.cursor() as cursor:
        for label, sql in CHECKS.items():
            cursor.execute(sql)
            count = cursor.fetchone()[0]
            print(f"  check: {label}: {count}")
            if count:
                failed.append(label)
    if failed:
        sys.exit(f"Generated data is inconsistent: {', '.join(failed)}")


def generate(args, params):
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection

    from oversight import tallies

    rng = random.Random(args.seed)
    phases = Phases()
    print(f"Generating {params}", flush=True)
    phases.run("migrate", call_command, "migrate", verbosity=0)
    with connection.cursor() as cursor:
        # Session settings for building the indexes and loading: nothing the server's configuration keeps.
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET synchronous_commit = off")
    constraints = LoadConstraints(bulk_models())
    constraints.drop()
    tree, leaves, sizes = phases.run("tree", build_tree, rng, params["grassroots"])
    paths = phases.run("organizations (COPY)", load_tree, tree)
    people = phases.run("members (COPY)", load_members, rng, tree, leaves, sizes, params["members"])
    current, appointments = phases.run("appointments (COPY)", load_appointments, rng, tree, people)
    catalog = phases.run("programs, lecturers, issuers", load_catalog, rng, tree, paths)
    counts = phases.run("courses … certificates (COPY)", load_training, rng, tree, people, current, catalog, params)
    del people, tree
    restored = phases.run("indexes and constraints", constraints.restore)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), bulk_models()):
            cursor.execute(sql)
    users = phases.run("users", create_users)
    phases.run("compliance tallies (oversight.tallies.rebuild)", tallies.rebuild)
    with connection.cursor() as cursor:
        # Visibility map and planner statistics, as autovacuum leaves a database in service.
        phases.run("VACUUM ANALYZE", cursor.execute, "VACUUM ANALYZE")
    phases.run("checks", run_checks)
    generated = {
        "seconds": phases.seconds,
        "organizations": len(paths),
        "appointments": appointments,
        "indexes_and_constraints": restored,
        **counts,
        **users,
    }
    set_meta("generation", generated)
    set_meta("params", params)
    return generated


# --- measuring --------------------------------------------------------------------------------------------------


class Page:
    """Something a user waits for, run cold once and then `repeat` times warm."""

    def __init__(self, label, user_label, target_ms, run):
        self.label, self.user_label, self.target_ms, self.run = label, user_label, target_ms, run
        self.times, self.cold, self.queries, self.load = [], None, [], []

    def measure(self, repeat):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.load.append(os.getloadavg()[0])
        started = time.perf_counter()
        self.run()
        self.cold = time.perf_counter() - started
        for _n in range(repeat):
            started = time.perf_counter()
            self.run()
            self.times.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as captured:
            self.run()
        self.queries = [(float(query["time"]), query["sql"]) for query in captured.captured_queries]
        self.load.append(os.getloadavg()[0])

    @property
    def median_ms(self):
        return 1000 * statistics.median(self.times)


def client_get(user, url, *, status=200):
    from django.test import Client

    client = Client()
    client.force_login(user)

    def run():
        response = client.get(url, secure=True)
        assert response.status_code == status, (url, response.status_code)

    return run


def workbook_sheets(user, year, seconds):
    """The yearly workbook's summary sheets, written by the workbook's own code (not saved: the roster sheet and
    zipping the file are not part of the target); each sheet's time is added to `seconds`."""
    from reports.workbook import YearWorkbook

    def run():
        workbook = YearWorkbook(user, year)
        for step, sheet in enumerate(
            [workbook.summary_sheet, workbook.committee_sheet, workbook.post_sheet, workbook.cumulative_sheet]
        ):
            started = time.perf_counter()
            sheet(step)
            seconds[sheet.__name__].append(time.perf_counter() - started)
        workbook.workbook.save(io.BytesIO())  # closes the streamed sheets

    return run


def largest_committee():
    """The provincial committee holding the most posts that require training (from the compliance tallies)."""
    from django.db.models import Sum
    from django.db.models.functions import Substr

    from organizations.models import Organization
    from oversight.models import ComplianceTally

    width = 2 * Organization.steplen
    sizes = (
        ComplianceTally.objects.annotate(province=Substr("unit__path", 1, width))
        .values("province")
        .annotate(holders=Sum("holders"))
        .order_by("-holders")
    )
    return Organization.objects.get(path=sizes[0]["province"], depth=2)


def bench_inspector():
    """An inspector of the Inspection Committee (organizations/roles.py INSPECTOR), made once in the database."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from organizations import roles
    from organizations.models import Officer, Organization

    roles.sync_role_groups()
    user, created = get_user_model().objects.get_or_create(username="bench_inspector", defaults={"is_staff": True})
    if created:
        user.groups.add(Group.objects.get(name=roles.INSPECTOR))
        Officer.objects.create(user=user, organization=Organization.objects.get(depth=1))
    return get_user_model().objects.get(pk=user.pk)


def inspection_checklist(user, organization):
    """Opening an inspection's checklist (oversight/checklist.py), as open_inspection() prepares it; nothing saved."""
    from oversight.checklist import build_checklist

    def run():
        checklist = build_checklist(organization, user=user, today=TODAY)
        assert checklist["sections"], organization

    return run


def pages(generated, workbook_seconds):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from organizations.models import Organization

    User = get_user_model()
    staff = User.objects.get(username="bench_staff")
    officer = User.objects.get(username="bench_officer")
    trainee = User.objects.get(username="bench_trainee")
    province = Organization.objects.get(pk=generated["province"])
    compliance = reverse("oversight:compliance")
    members = reverse("admin:organizations_member_changelist") + "?" + f"q={SEARCH.replace(' ', '+')}"
    year = TODAY.year - 1
    largest = largest_committee()
    return [
        Page("compliance, whole country", "center staff", PAGE_TARGET_MS, client_get(staff, compliance)),
        Page(
            f"compliance, {province.name}",
            "center staff",
            PAGE_TARGET_MS,
            client_get(staff, f"{compliance}?org={province.pk}"),
        ),
        Page(f"compliance, {province.name}", "its officer", PAGE_TARGET_MS, client_get(officer, compliance)),
        Page(f'Member changelist, q="{SEARCH}"', "center staff", PAGE_TARGET_MS, client_get(staff, members)),
        Page(f'Member changelist, q="{SEARCH}"', "officer", PAGE_TARGET_MS, client_get(officer, members)),
        Page("trainee's /my/", "trainee", PAGE_TARGET_MS, client_get(trainee, reverse("portal:course-list"))),
        Page(
            f"inspection checklist, {largest.name}",
            "inspector",
            PAGE_TARGET_MS,
            inspection_checklist(bench_inspector(), largest),
        ),
        Page(
            f"workbook {year}: summary sheets 1-3, 8",
            "center staff",
            1000 * WORKBOOK_TARGET_S,
            workbook_sheets(staff, year, workbook_seconds),
        ),
    ]


def big_tables():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= %s", [BIG_TABLE_ROWS])
        return {row[0] for row in cursor.fetchall()}


def seq_scans(plan, tables):
    """Relations of `tables` that a JSON plan reads with a sequential scan."""
    found = set()
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in tables:
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found |= seq_scans(child, tables)
    return found


def explain(page, tables, threshold_ms):
    """Sequential scans of big tables in any of the page's queries; EXPLAIN (ANALYZE, BUFFERS) of the slow ones."""
    from django.db import connection

    scans, analyzed = set(), []
    with connection.cursor() as cursor:
        for seconds, sql in page.queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            scans |= seq_scans((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"], tables)
            if 1000 * seconds >= threshold_ms:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                analyzed.append((seconds, sql, "\n".join(row[0] for row in cursor.fetchall())))
    page.seq_scans = sorted(scans)
    page.analyzed = sorted(analyzed, key=lambda item: -item[0])


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def machine():
    from django.db import connection

    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    settings = {}
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        settings["PostgreSQL"] = cursor.fetchone()[0]
        for name in ["shared_buffers", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather"]:
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    os_name = platform.freedesktop_os_release().get("PRETTY_NAME", platform.system())
    cores = os.cpu_count()
    memory_gib = int(memory.split()[1]) / 2**20
    server = ", ".join(f"{name} {value}" for name, value in settings.items())
    return f"{os_name}, {cores} cores, {memory_gib:.0f} GiB, Python {platform.python_version()}; {server}"


def database_sizes():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT relname, reltuples::bigint, pg_size_pretty(pg_table_size(oid)), "
            "pg_size_pretty(pg_indexes_size(oid)) FROM pg_class WHERE relkind = 'r' AND relnamespace = "
            "'public'::regnamespace ORDER BY pg_total_relation_size(oid) DESC LIMIT 12"
        )
        return total, cursor.fetchall()


def report_generation(generated):
    print("\nGeneration")
    print("| step | seconds |\n|---|---:|")
    for name, seconds in generated["seconds"].items():
        print(f"| {name} | {seconds:.1f} |")
    print(f"| **total** | **{sum(generated['seconds'].values()):.1f}** |")
    print("\n| rows | count |\n|---|---:|")
    for name in ["organizations", "appointments", "courses", "sessions", "enrollments", "attendance",
                 "certificates", "evaluations", "ratings"]:  # fmt: skip
        print(f"| {name} | {generated[name]:,} |")
    total, tables = database_sizes()
    print(f"\nDatabase size: {total}")
    print("| table | rows | data | indexes |\n|---|---:|---:|---:|")
    for name, rows, data, indexes in tables:
        print(f"| {name} | {rows:,} | {data} | {indexes} |")


def report_pages(measured, workbook_seconds, repeat):
    print(f"\nTimings (median of {repeat} warm runs after one cold run; load = 1-minute load average before/after)")
    print("| page | as | median | cold | min–max | queries | target | met | load | seq scans of big tables |")
    print("|---|---|---:|---:|---:|---:|---:|---|---|---|")
    for page in measured:
        unit, scale = ("s", 1) if page.target_ms >= 1000 else ("ms", 1000)
        low, high = min(page.times) * scale, max(page.times) * scale
        median = page.median_ms / 1000 * scale
        target = page.target_ms / 1000 * scale
        print(
            f"| {page.label} | {page.user_label} | {median:.{1 if unit == 's' else 0}f} {unit} "
            f"| {page.cold * scale:.{1 if unit == 's' else 0}f} {unit} | {low:.0f}–{high:.0f} | {len(page.queries)} "
            f"| {target:.0f} {unit} | {'yes' if page.median_ms <= page.target_ms else '**no**'} "
            f"| {page.load[0]:.1f}/{page.load[1]:.1f} | {', '.join(page.seq_scans) or 'none'} |"
        )
    print("\nWorkbook summary sheets, each (median):")
    for name, seconds in workbook_seconds.items():
        print(f"  {name}: {statistics.median(seconds):.2f} s")


def report_explains(measured):
    for page in measured:
        if not page.analyzed:
            continue
        print(f"\n=== {page.label} — {page.user_label}: queries of {page.analyzed[-1][0] * 1000:.0f} ms or more ===")
        for seconds, sql, plan in page.analyzed:
            shown = sql if len(sql) <= 1200 else sql[:1200] + " …"
            print(f"\n--- {seconds * 1000:.0f} ms: {shown}\n{plan}")


def measure(args, generated):
    from django.db import connection

    print(f"\nMachine: {machine()}")
    print(f"Load average at start: {load_average()}", flush=True)
    if args.skip_workbook:
        print("(workbook not timed: --skip-workbook)")
    workbook_seconds = defaultdict(list)
    measured = []
    tables = big_tables()
    for page in pages(generated, workbook_seconds):
        if args.skip_workbook and page.target_ms >= 1000:
            continue
        if args.only.lower() not in f"{page.label} {page.user_label}".lower():
            continue
        page.measure(args.workbook_repeat if page.target_ms >= 1000 else args.repeat)
        explain(page, tables, args.explain_ms)
        connection.close()
        print(f"  {page.label} ({page.user_label}): {page.median_ms:.0f} ms", flush=True)
        measured.append(page)
    for values in workbook_seconds.values():
        del values[0]  # the cold run's
    report_pages(measured, workbook_seconds, args.repeat)
    print(f"Load average at end: {load_average()}")
    report_explains(measured)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--reuse", action="store_true", help="keep a finished scratch database (new migrations run)")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the national size (0.01 to try out)")
    parser.add_argument("--attendance-years", type=int, default=1, help="years whose attendance is generated")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs of each page")
    parser.add_argument("--workbook-repeat", type=int, default=3, help="warm runs of the workbook's summary sheets")
    parser.add_argument("--skip-workbook", action="store_true")
    parser.add_argument("--generate-only", action="store_true", help="make the data, time nothing")
    parser.add_argument("--only", default="", help="time only the pages whose label or user contains this")
    parser.add_argument("--explain-ms", type=float, default=5, help="EXPLAIN ANALYZE queries at least this slow")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.drop:
        drop_database(args.database_url)
        print(f"Dropped {parse_url(args.database_url)['dbname']}.")
        return
    params = {
        "members": round(5_000_000 * args.scale),
        "grassroots": round(60_000 * args.scale),
        "enrollments_per_year": round(1_000_000 * args.scale),
        "attendance_years": args.attendance_years,
        "seed": args.seed,
    }
    print(f"Load average: {load_average()}; disk: {free_disk()}", flush=True)
    state = scratch_state(args.database_url)
    if state is False:
        sys.exit(f"{parse_url(args.database_url)['dbname']} exists and was not created by bench/scale.py.")
    if args.reuse and state not in (None, params):
        sys.exit(f"The scratch database holds {state or 'unfinished data'}, not {params}: run without --reuse.")
    reuse = args.reuse and state == params
    if not reuse:
        if state is not None:
            drop_database(args.database_url)
        create_database(args.database_url)
    setup_django(args.database_url)
    if reuse:
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=1)
        print(f"Reusing the generated data; migrate took {time.perf_counter() - started:.1f} s")
        generated = get_meta("generation")
    else:
        generated = generate(args, params)
    report_generation(generated)
    if not args.generate_only:
        measure(args, generated)


def free_disk():
    stat = os.statvfs(ROOT)
    return f"{stat.f_bavail * stat.f_frsize / 2**30:.0f} GiB free"


if __name__ == "__main__":
    main()
