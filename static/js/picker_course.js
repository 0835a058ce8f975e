// The nomination form's member picker asks which class the member is picked for, so that its answer marks who is
// on that class already (enrollments.admin.EnrollmentMemberTools).
"use strict";
(function ($) {
  $.ajaxPrefilter(function (options) {
    const course = document.getElementById("id_course");
    if (!course || !course.value || !options.url.includes("/organizations/member/autocomplete/")) {
      return;
    }
    options.url += (options.url.includes("?") ? "&" : "?") + "course=" + encodeURIComponent(course.value);
  });
})(django.jQuery);
