// Kehu: the order form (ORD-1). The list price of the chosen product is shown in the empty
// unit price box of its line; the prices come from the JSON block named by data-prices.
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
  form.querySelectorAll("[data-line-product]").forEach(function (select) {
    if (select.value) { show(select); }
    select.addEventListener("change", function () { show(select); });
  });
})();
