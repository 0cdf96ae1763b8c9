// Kehu: the behaviour every page shares, declared with data-* attributes (no inline script,
// so that a Content-Security-Policy can forbid it):
//   data-confirm="…"       asks before a destructive action
//   data-select-all="name"  ticks or unticks every checkbox of that name (bulk actions)
//   data-autosubmit         submits its form as soon as a value is chosen (filters, language)
//   data-print              prints the page
//   data-show-if="id" data-show-value="v"   shown only while the field `id` holds v
//   data-filter-options="selector"   typing narrows the <option>s of the selects it names to those
//                          containing the text (by rebuilding them: hidden options do not hide
//                          on every phone); a chosen option always stays
//   table.table-stack      each cell gets its column's header as data-label (the phone's cards, kehu.css)
//   data-tab="name"        a tab button: showing it writes ?tab=name into the address (so a
//                          reload or a form's way back opens it) and into the `next` of every
//                          data-keep-tab link (core.views.chosen_tab, next_url)
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

document.querySelectorAll("[data-filter-options]").forEach(function (input) {
  const selects = document.querySelectorAll(input.getAttribute("data-filter-options"));
  if (!selects.length) { return; }
  const all = Array.from(selects[0].options).map(function (o) { return [o.value, o.text]; });
  input.addEventListener("input", function () {
    const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    selects.forEach(function (select) {
      const chosen = select.value;
      select.replaceChildren.apply(select, all.filter(function (pair) {
        const text = pair[1].toLowerCase();
        return pair[0] === "" || pair[0] === chosen || words.every(function (w) { return text.includes(w); });
      }).map(function (pair) {
        const option = new Option(pair[1], pair[0]);
        option.selected = pair[0] === chosen;
        return option;
      }));
    });
  });
});
document.addEventListener("shown.bs.tab", function (event) {
  const name = event.target.getAttribute("data-tab");
  if (!name) {
    return;
  }
  const here = new URL(window.location.href);
  here.searchParams.set("tab", name);
  window.history.replaceState(null, "", here.pathname + here.search + here.hash);
  document.querySelectorAll("a[data-keep-tab]").forEach(function (link) {
    const target = new URL(link.href, window.location.href);
    target.searchParams.set("next", here.pathname + "?tab=" + encodeURIComponent(name));
    link.href = target.pathname + target.search;
  });
});

function labelStackedTables(root) {
  root.querySelectorAll("table.table-stack").forEach(function (table) {
    const heads = [];
    table.querySelectorAll("thead tr:last-child th").forEach(function (th) {
      const span = parseInt(th.getAttribute("colspan") || "1", 10);
      for (let i = 0; i < span; i += 1) {
        heads.push(th.textContent.replace(/[▲▼]/g, "").trim());
      }
    });
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
      let column = 0;
      Array.from(row.children).forEach(function (cell) {
        const span = parseInt(cell.getAttribute("colspan") || "1", 10);
        if (span === 1 && heads[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", heads[column]);
        }
        column += span;
      });
    });
  });
}
labelStackedTables(document);
document.addEventListener("htmx:load", function (event) {
  labelStackedTables(event.target);
});
