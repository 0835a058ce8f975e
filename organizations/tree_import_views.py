"""The admin page for importing the party tree, members and posts from Excel, on the generic import pages of
common/imports/views.py."""

from django.utils.translation import gettext_lazy

from common.imports.forms import UploadForm
from common.imports.views import ImportPage
from organizations.models import ImportRecord
from organizations.permissions import TREE_IMPORT_PERMISSIONS
from organizations.tree_import import SPECS, import_organizations, import_template
from organizations.uploads import UPLOADS

ORGANIZATIONS_PAGE = ImportPage(
    kind=ImportRecord.Kind.ORGANIZATIONS,
    title=gettext_lazy("Nhập cây tổ chức, đảng viên và chức vụ từ Excel"),
    intro=gettext_lazy(
        "Tệp theo mẫu có hai trang: Tổ chức đảng (Mã tổ chức, Tên tổ chức, Loại, Mã tổ chức cấp trên) và Đảng viên "
        "và chức vụ. Tổ chức được nhận ra theo mã, đảng viên theo họ tên và ngày sinh, chức vụ theo đảng viên, tổ "
        "chức, chức vụ và nhiệm kỳ: nhập lại chỉ thêm điều mới và sửa điều khác đi. Cán bộ đảng ủy chỉ nhập được "
        "vào tổ chức đảng mình phụ trách."
    ),
    specs=SPECS,
    form_class=UploadForm,
    template=import_template,
    template_name="mau-to-chuc-dang-vien.xlsx",
    permissions=TREE_IMPORT_PERMISSIONS,
    run=import_organizations,
    uploads=UPLOADS,
    done_url_name="admin:organizations_member_changelist",
)
