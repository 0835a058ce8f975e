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
    // An open box names its search field after the box, and says which list it controls (select2 4.0 only sets
    // aria-owns, which axe-core's "aria-required-attr" does not take for a combobox's aria-controls).
    function nameOpenSearch(event) {
        const rendered = document.getElementById(`select2-${event.target.id}-container`);
        const box = rendered && rendered.closest(".select2-selection");
        const search = document.querySelector(".select2-container--open .select2-search__field");
        if (!box) {
            return;
        }
        if (box.getAttribute("aria-owns")) {
            box.setAttribute("aria-controls", box.getAttribute("aria-owns"));
        }
        if (search) {
            const label = document.querySelector(`label[for="${event.target.id}"]`);
            const name = (label ? label.textContent : event.target.getAttribute("aria-label") || "").replace(/:\s*$/, "").trim();
            search.setAttribute("aria-label", name);
            if (box.getAttribute("aria-owns")) {
                search.setAttribute("aria-controls", box.getAttribute("aria-owns"));
            }
        }
    }
    // autocomplete.js draws the boxes when jQuery finds the document ready (this deferred script asks after it,
    // so runs after it) and when an inline row is added.
    if (window.django && window.django.jQuery) {
        window.django.jQuery(() => nameAutocompleteBoxes(document));
        window.django.jQuery(document).on("select2:open", nameOpenSearch);
    }
    document.addEventListener("formset:added", (event) => setTimeout(() => nameAutocompleteBoxes(event.target)));
}
