// Kehu: allocation tables of the payment pages (AR-1). With "allocate oldest first" ticked,
// typing the amount fills the invoices' inputs oldest first, as the server would; what is
// left stays on the customer's account and is shown as it changes. Editing an input by hand
// takes over from the automatic allocation.
(function () {
  "use strict";

  // Amount text as cents, or null: "1,234.5", "￥１２３４.５０" and "1234" are understood.
  function cents(text) {
    var clean = String(text || "").replace(/[０-９．]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
    }).replace(/[,，\s¥￥]/g, "");
    if (!/^\d+(\.\d{0,2})?$/.test(clean)) return null;
    var parts = clean.split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }

  function plain(c) {
    return Math.floor(c / 100) + "." + String(c % 100).padStart(2, "0");
  }

  function money(c) {
    var sign = c < 0 ? "−" : "";
    var whole = Math.floor(Math.abs(c) / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + "¥" + whole + "." + String(Math.abs(c) % 100).padStart(2, "0");
  }

  document.querySelectorAll("form[data-allocate]").forEach(function (form) {
    var amount = form.querySelector("input[name=amount]");
    var auto = form.querySelector("input[name=auto]");
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-open]"));
    var left = form.querySelector("[data-on-account]");

    function total() {
      return amount ? cents(amount.value) : parseInt(form.getAttribute("data-allocate"), 10);
    }

    function fill() {
      var rest = total();
      if (rest === null) return;
      inputs.forEach(function (input) {
        var take = Math.min(rest, cents(input.getAttribute("data-open")) || 0);
        input.value = take > 0 ? plain(take) : "";
        rest -= Math.max(take, 0);
      });
    }

    function update() {
      if (!left) return;
      var all = total();
      var used = 0;
      inputs.forEach(function (input) { used += cents(input.value) || 0; });
      left.textContent = all === null ? "—" : money(all - used);
      left.classList.toggle("text-danger", all !== null && all - used < 0);
    }

    if (amount) {
      amount.addEventListener("input", function () {
        if (auto && auto.checked) fill();
        update();
      });
    }
    if (auto) {
      auto.addEventListener("change", function () {
        if (auto.checked) fill();
        update();
      });
    }
    inputs.forEach(function (input) {
      input.addEventListener("input", function () {
        if (auto) auto.checked = false;
        update();
      });
    });
    update();
  });
})();
