// Kehu: the collection attempt form (AR-2). Choosing an invoice fills the amount promised
// with what is open on it, unless the user has typed another amount.
(function () {
  "use strict";

  document.querySelectorAll("select[data-fill-amount]").forEach(function (select) {
    var source = document.getElementById(select.getAttribute("data-fill-amount"));
    var amount = select.form && select.form.querySelector("input[name=promised_amount]");
    if (!source || !amount) return;
    var open = JSON.parse(source.textContent);
    var filled = amount.value;
    select.addEventListener("change", function () {
      if (amount.value !== "" && amount.value !== filled) return; // typed by hand: kept
      filled = open[select.value] || "";
      amount.value = filled;
    });
  });
})();
