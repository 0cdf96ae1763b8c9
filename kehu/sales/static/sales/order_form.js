// Kehu: the order form (ORD-1). The list price of the chosen product is shown in the empty
// unit price box of its line; the prices come from the JSON block named by data-prices. Each
// line's amount and the order's running total follow what is typed (in cents, as the server
// rounds each line); the saved order's total is the server's.
(function () {
  "use strict";
  const form = document.querySelector("form[data-prices]");
  if (!form) { return; }
  const prices = JSON.parse(document.getElementById(form.getAttribute("data-prices")).textContent);
  function show(select) {
    const price = select.closest("tr").querySelector("[data-line-price]");
    price.dataset.placeholder = price.dataset.placeholder || price.placeholder;
    price.placeholder = prices[select.value] || price.dataset.placeholder;
  }
  function number(input) {
    const text = (input.value || "").replace(/[,，¥￥\s]/g, "");
    return text === "" ? null : Number(text);
  }
  function money(cents) {
    return "¥" + (cents / 100).toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }
  function total() {
    let sum = 0;
    form.querySelectorAll("#order-lines tbody tr").forEach(function (row) {
      const product = row.querySelector("[data-line-product]");
      const quantity = number(row.querySelector("[data-line-quantity]"));
      const typed = number(row.querySelector("[data-line-price]"));
      const discount = number(row.querySelector("[data-line-discount]")) || 0;
      const price = typed === null ? Number(prices[product.value] || 0) : typed;
      const cents = product.value && quantity ? Math.round(quantity * price * (100 - discount)) : 0;
      row.querySelector("[data-line-amount]").textContent = cents && !isNaN(cents) ? money(cents) : "";
      sum += isNaN(cents) ? 0 : cents;
    });
    document.getElementById("order-total").textContent = money(sum);
  }
  form.querySelectorAll("[data-line-product]").forEach(function (select) {
    if (select.value) { show(select); }
    select.addEventListener("change", function () { show(select); total(); });
  });
  form.addEventListener("input", total);
  total();
})();
