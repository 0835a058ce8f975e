// Gives the admin's autocomplete boxes (select2, drawn by Django's autocomplete.js) their field's name. select2
// labels its box with the chosen value only, so an empty box has no name for a screen reader (axe-core's
// "aria-input-field-name" rule); the name is the field's <label>, or the aria-label a table's input carries.
"use strict";
{
    function nameAutocompleteBoxes(root) {
        for (const select of root.querySelectorAll("select.admin-autocomplete[id]")) {
            const rendered = document.getElementById(`select2-${select.id}-container`);
            const box = rendered && rendered.closest(".select2-selection");
            if (!box) {
                continue;
            }
            const label = document.querySelector(`label[for="${select.id}"]`);
            const name = (label ? label.textContent : select.getAttribute("aria-label") || "").replace(/:\s*$/, "").trim();
            if (!name) {
                continue;
            }
            if (label) {
                // The box reads as the field's name, then its value (the text select2 shows).
                label.id = label.id || `${select.id}-label`;
                box.setAttribute("aria-labelledby", `${label.id} ${rendered.id}`);
                rendered.setAttribute("aria-labelledby", label.id);
            } else {
                box.removeAttribute("aria-labelledby");
                box.setAttribute("aria-label", name);
                rendered.setAttribute("aria-label", name);
            }
        }
    }
    // autocomplete.js draws the boxes when jQuery finds the document ready (this deferred script asks after it,
    // so runs after it) and when an inline row is added.
    if (window.django && window.django.jQuery) {
        window.django.jQuery(() => nameAutocompleteBoxes(document));
    }
    document.addEventListener("formset:added", (event) => setTimeout(() => nameAutocompleteBoxes(event.target)));
}
