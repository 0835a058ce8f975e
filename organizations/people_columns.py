"""How a workbook writes a party member and their post: the people columns and the names a file may give a
gender or a post, shared by the tree import and the nomination import."""

from common.imports.spreadsheets import Column
from organizations.models import Member, Post

# A file's headers are its format's, in Vietnamese whatever the interface's language.
PEOPLE_COLUMNS = [
    Column(
        "full_name",
        "Họ và tên",
        ("Họ tên", "Họ và tên đảng viên", "Họ tên đảng viên", "Tên đảng viên"),
        required=True,
        width=28,
    ),
    Column(
        "birth_date",
        "Ngày sinh",
        ("Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Năm sinh", "Sinh ngày"),
        required=True,
        width=14,
    ),
    Column("gender", "Giới tính", ("Giới", "Nam/Nữ", "Nam, nữ"), width=10),
    Column(
        "organization_code",
        "Mã tổ chức",
        ("Mã tổ chức đảng", "Mã chi bộ", "Mã đơn vị"),
        required=True,
        width=18,
    ),
    Column("post", "Chức vụ", ("Chức vụ đảng", "Chức vụ trong cấp ủy"), width=22),
    Column("term", "Nhiệm kỳ", (), width=12),
    Column("start_date", "Từ ngày", ("Ngày bắt đầu", "Bắt đầu"), width=14),
    Column("end_date", "Đến ngày", ("Ngày kết thúc", "Kết thúc"), width=14),
    Column("workplace", "Đơn vị công tác", ("Nơi công tác", "Cơ quan công tác"), width=40),
    Column("job_title", "Chức danh", ("Chức danh chuyên môn", "Chức vụ chính quyền"), width=24),
    Column("email", "Email", ("E-mail", "Thư điện tử", "Địa chỉ email"), width=28),
    Column("phone", "Điện thoại", ("Số điện thoại", "SĐT", "ĐT", "Điện thoại di động"), width=14),
]
# The names a file may give each post and gender: the file format's Vietnamese first (it is what the template
# and error messages name), then the interface's label, in whatever language is active.
POST_CHOICES = [
    (Post.SECRETARY, "Bí thư", "Bí thư chi bộ", "Bí thư đảng ủy", "Bí thư đảng bộ", Post.SECRETARY.label),
    (
        Post.DEPUTY_SECRETARY,
        "Phó Bí thư",
        "Phó Bí thư chi bộ",
        "Phó Bí thư đảng ủy",
        "Phó Bí thư đảng bộ",
        "Phó Bí thư Thường trực",
        Post.DEPUTY_SECRETARY.label,
    ),
    (
        Post.STANDING_MEMBER,
        "Ủy viên Ban Thường vụ",
        "Ủy viên BTV",
        "UVBTV",
        "Ủy viên Thường vụ",
        Post.STANDING_MEMBER.label,
    ),
    (
        Post.COMMITTEE_MEMBER,
        "Cấp ủy viên",
        "Ủy viên",
        "Chi ủy viên",
        "Đảng ủy viên",
        "Ủy viên Ban Chấp hành",
        "UVBCH",
        Post.COMMITTEE_MEMBER.label,
    ),
]
GENDER_CHOICES = [
    (Member.Gender.MALE, "Nam", "male", "M", Member.Gender.MALE.label),
    (Member.Gender.FEMALE, "Nữ", "female", "F", Member.Gender.FEMALE.label),
]
# choice -> the name a file gives it
POST_NAMES = {choice: names[0] for choice, *names in POST_CHOICES}
GENDER_NAMES = {choice: names[0] for choice, *names in GENDER_CHOICES}
