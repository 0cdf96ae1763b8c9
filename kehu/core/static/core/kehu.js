// Kehu: confirmation before destructive actions, select-all for bulk actions.
document.addEventListener("click", function (event) {
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
});
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-select-all]")) {
    const name = event.target.getAttribute("data-select-all");
    document.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
      box.checked = event.target.checked;
    });
  }
});
