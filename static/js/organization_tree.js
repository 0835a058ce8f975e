/* The organization list's branch buttons (organizations/admin.py OrganizationAdmin.tree_name): each hides or shows
   the rows of its sub-tree on this page. A row's sub-tree is every row whose tree path starts with its own. */
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  const nodes = Array.from(document.querySelectorAll("#result_list .tree-node[data-path]"));

  function hasRowsBelow(node) {
    const path = node.dataset.path;
    return nodes.some((other) => other !== node && other.dataset.path.startsWith(path));
  }

  // A row is hidden while any row above it in the tree is collapsed; reopening a branch leaves the branches
  // collapsed inside it as they were.
  function showRows() {
    const collapsed = nodes
      .filter((node) => node.querySelector(".tree-toggle[aria-expanded='false']"))
      .map((node) => node.dataset.path);
    for (const node of nodes) {
      const path = node.dataset.path;
      node.closest("tr").hidden = collapsed.some((above) => path !== above && path.startsWith(above));
    }
  }

  const buttons = [];
  for (const node of nodes) {
    const button = node.querySelector(".tree-toggle");
    if (button === null || !hasRowsBelow(node)) {
      continue;
    }
    buttons.push(button);
    button.hidden = false;
    button.addEventListener("click", function () {
      button.setAttribute("aria-expanded", button.getAttribute("aria-expanded") === "true" ? "false" : "true");
      showRows();
    });
  }

  const tools = document.querySelector(".tree-tools");
  if (tools === null || buttons.length === 0) {
    return;
  }
  tools.hidden = false;
  for (const all of tools.querySelectorAll("[data-expand-all]")) {
    all.addEventListener("click", function () {
      for (const button of buttons) {
        button.setAttribute("aria-expanded", all.dataset.expandAll);
      }
      showRows();
    });
  }
});
