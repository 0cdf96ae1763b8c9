// Kehu: the behaviour every page shares, declared with data-* attributes (no inline script,
// so that a Content-Security-Policy can forbid it):
//   data-confirm="…"       asks before a destructive action
//   data-select-all="name"  ticks or unticks every checkbox of that name (bulk actions)
//   data-autosubmit         submits its form as soon as a value is chosen (filters, language)
//   data-print              prints the page
//   data-show-if="id" data-show-value="v"   shown only while the field `id` holds v
document.addEventListener("click", function (event) {
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopImmediatePropagation();
    return;
  }
  if (event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
  }
});
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-select-all]")) {
    const name = event.target.getAttribute("data-select-all");
    document.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
      box.checked = event.target.checked;
    });
  }
  if (event.target.matches("[data-autosubmit]") && event.target.form) {
    event.target.form.submit();
  }
  showDependents();
});

function showDependents() {
  document.querySelectorAll("[data-show-if]").forEach(function (el) {
    const field = document.getElementById(el.getAttribute("data-show-if"));
    el.hidden = !field || field.value !== el.getAttribute("data-show-value");
  });
}
showDependents();
