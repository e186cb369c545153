/* The billing counter. The server prices, checks and records everything; this script keeps the
   cart, asks the server for live totals, and shows each error next to the field at fault. */
(() => {
  "use strict";

  const urls = JSON.parse(document.getElementById("counter-urls").textContent);
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const root = document.getElementById("counter");
  const $ = (id) => document.getElementById(id);
  const scan = $("scan");
  const suggestions = $("suggestions");
  const cartBody = document.querySelector("#cart tbody");
  const completeButton = $("complete");

  const rupees = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR", minimumFractionDigits: 2 });
  const inr = (value) => rupees.format(Number(value || 0));
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

  const state = {
    cart: [],            // {product, quantity, discount, error}
    customer: null,
    key: newKey(),       // one idempotency key per bill: a double click or a retry makes one invoice
    quote: null,
    busy: false,
    results: [],
    highlighted: -1,
    invoice: null,
  };

  // ---------- talking to the server ----------
  async function api(url, { method = "GET", body } = {}) {
    const response = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    let data = {};
    try { data = await response.json(); } catch (_) { data = { ok: false, errors: { __all__: ["The server did not answer properly; try again."] } }; }
    return { status: response.status, data };
  }

  function debounce(fn, ms) {
    let timer;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  // ---------- errors next to the thing at fault ----------
  // Each request clears only the errors it can answer for: a live total must not wipe
  // "unknown barcode" under the scan box, for example.
  function clearErrors(keys = null) {
    root.querySelectorAll("[data-error-for]").forEach((el) => {
      if (!keys || keys.includes(el.dataset.errorFor)) el.textContent = "";
    });
    state.cart.forEach((line) => { line.error = ""; });
  }

  function showErrors(errors) {
    for (const [key, messages] of Object.entries(errors || {})) {
      const text = messages.join(" ");
      const line = key.match(/^line-(\d+)$/);
      if (line && state.cart[Number(line[1])]) {
        state.cart[Number(line[1])].error = text;
        continue;
      }
      const target = root.querySelector(`[data-error-for="${key}"]`) || root.querySelector('[data-error-for="__all__"]');
      target.textContent = text;
    }
    renderCart();
  }

  // ---------- the cart ----------
  function step(product) { return product.fraction ? "0.001" : "1"; }

  function addProduct(product) {
    const existing = state.cart.find((line) => line.product.id === product.id);
    if (existing) {
      existing.quantity = String(Number(existing.quantity) + 1);
    } else {
      state.cart.push({ product, quantity: "1", discount: "", error: "" });
    }
    renderCart();
    requestQuote();
  }

  function lineRow(line, index) {
    const row = document.createElement("tr");
    row.dataset.index = index;
    const p = line.product;
    const amount = state.quote && state.quote.lines[index] ? inr(state.quote.lines[index].total) : "";
    row.innerHTML = `
      <td class="item"><span class="name"></span><span class="meta"></span><span class="line-error" role="alert"></span></td>
      <td class="num"><input class="qty" type="number" min="0" step="${step(p)}" inputmode="decimal" aria-label="Quantity"></td>
      <td class="num price"></td>
      <td class="num"><input class="disc" type="number" min="0" step="0.01" inputmode="decimal" placeholder="0" aria-label="Discount in rupees"></td>
      <td class="num amount"></td>
      <td><button type="button" class="remove" aria-label="Remove">×</button></td>`;
    row.querySelector(".name").textContent = p.name;
    row.querySelector(".meta").textContent = `${p.sku} · ${p.unit} · GST ${p.tax_rate}% · in stock ${p.on_hand}`;
    row.querySelector(".line-error").textContent = line.error || "";
    row.querySelector(".price").textContent = inr(p.price);
    row.querySelector(".amount").textContent = amount;
    row.querySelector(".qty").value = line.quantity;
    row.querySelector(".disc").value = line.discount;
    if (line.error) row.classList.add("has-error");
    return row;
  }

  function renderCart() {
    cartBody.replaceChildren(...state.cart.map(lineRow));
    $("cart-empty").hidden = state.cart.length > 0;
    $("t-items").textContent = state.cart.length;
  }

  cartBody.addEventListener("input", (event) => {
    const row = event.target.closest("tr");
    if (!row) return;
    const line = state.cart[Number(row.dataset.index)];
    if (event.target.classList.contains("qty")) line.quantity = event.target.value;
    if (event.target.classList.contains("disc")) line.discount = event.target.value;
    requestQuote();
  });

  cartBody.addEventListener("click", (event) => {
    if (!event.target.classList.contains("remove")) return;
    state.cart.splice(Number(event.target.closest("tr").dataset.index), 1);
    renderCart();
    requestQuote();
    scan.focus();
  });

  cartBody.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); scan.focus(); }
  });

  // ---------- live totals, computed by the server ----------
  function cartPayload() {
    return state.cart.map((line) => ({ product_id: line.product.id, quantity: line.quantity || "0", discount: line.discount || "0" }));
  }

  const requestQuote = debounce(async () => {
    clearErrors(["discount", "__all__"]);
    if (!state.cart.length) { state.quote = null; renderTotals(); return; }
    const { data } = await api(urls.quote, {
      method: "POST",
      body: { lines: cartPayload(), customer_id: state.customer && state.customer.id, bill_discount: $("bill-discount").value || "0" },
    });
    if (data.ok) {
      state.quote = data;
      showErrors(data.warnings || {});
      renderTotals();
    } else {
      showErrors(data.errors);
    }
  }, 120);

  function renderTotals() {
    const totals = (state.quote && state.quote.totals) || {};
    $("t-gross").textContent = inr(totals.gross);
    $("t-discount").textContent = inr(totals.discount);
    $("t-taxable").textContent = inr(totals.taxable);
    $("t-cgst").textContent = inr(totals.cgst);
    $("t-sgst").textContent = inr(totals.sgst);
    $("t-igst").textContent = inr(totals.igst);
    $("t-round").textContent = inr(totals.round_off);
    $("t-grand").textContent = inr(totals.grand_total);
    const inter = Boolean(state.quote && state.quote.inter_state);
    root.querySelectorAll(".intra").forEach((el) => { el.hidden = inter; });
    root.querySelectorAll(".inter").forEach((el) => { el.hidden = !inter; });
    renderBalance();
  }

  // ---------- payments ----------
  function payments() {
    return [...root.querySelectorAll("[data-method]")]
      .filter((input) => Number(input.value) > 0)
      .map((input) => {
        const reference = root.querySelector(`[data-reference="${input.dataset.method}"]`);
        return { method: input.dataset.method, amount: input.value, reference: reference ? reference.value : "" };
      });
  }

  function renderBalance() {
    const due = Number((state.quote && state.quote.totals && state.quote.totals.grand_total) || 0);
    const paid = payments().reduce((sum, p) => sum + Number(p.amount), 0);
    const left = Math.round((due - paid) * 100) / 100;
    $("pay-status").textContent = left > 0 ? "Due" : (left < 0 ? "Change" : "Paid");
    $("pay-amount").textContent = inr(Math.abs(left));
    $("pay-amount").parentElement.classList.toggle("is-change", left < 0);
  }

  $("payments").addEventListener("input", renderBalance);
  $("bill-discount").addEventListener("input", requestQuote);

  // ---------- scanning and searching ----------
  function renderSuggestions() {
    suggestions.replaceChildren(...state.results.map((product, index) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.dataset.index = index;
      item.className = index === state.highlighted ? "is-active" : "";
      item.innerHTML = '<span class="name"></span><span class="meta"></span>';
      item.querySelector(".name").textContent = product.name;
      item.querySelector(".meta").textContent = `${product.sku} · ${inr(product.price)} · stock ${product.on_hand}`;
      return item;
    }));
    suggestions.hidden = state.results.length === 0;
  }

  function closeSuggestions() { state.results = []; state.highlighted = -1; renderSuggestions(); }

  const search = debounce(async (query) => {
    if (query.length < 2) { closeSuggestions(); return; }
    const { data } = await api(`${urls.search}?q=${encodeURIComponent(query)}`);
    if (scan.value.trim() !== query) return; // typed on meanwhile
    state.results = data.results || [];
    state.highlighted = state.results.length ? 0 : -1;
    renderSuggestions();
  }, 150);

  scan.addEventListener("input", () => {
    root.querySelector('[data-error-for="scan"]').textContent = "";
    search(scan.value.trim());
  });

  async function lookupCode(code) {
    const { data } = await api(`${urls.product}?code=${encodeURIComponent(code)}`);
    if (data.ok) { addProduct(data.product); return; }
    showErrors(data.errors);
  }

  scan.addEventListener("keydown", async (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!state.results.length) return;
      event.preventDefault();
      const delta = event.key === "ArrowDown" ? 1 : -1;
      state.highlighted = (state.highlighted + delta + state.results.length) % state.results.length;
      renderSuggestions();
    } else if (event.key === "Enter") {
      event.preventDefault();
      const code = scan.value.trim();
      if (!code) return;
      scan.value = "";
      const picked = state.results[state.highlighted];
      closeSuggestions();
      // A scanner types a whole code then Enter: an exact code wins over a half-typed search.
      const exact = state.results.find((p) => p.barcode === code || p.sku.toLowerCase() === code.toLowerCase());
      if (exact) addProduct(exact);
      else if (picked && !/^\d{8,14}$/.test(code)) addProduct(picked);
      else await lookupCode(code);
    } else if (event.key === "Escape") {
      scan.value = "";
      closeSuggestions();
    }
  });

  suggestions.addEventListener("mousedown", (event) => {
    const item = event.target.closest("li");
    if (!item) return;
    event.preventDefault();
    addProduct(state.results[Number(item.dataset.index)]);
    scan.value = "";
    closeSuggestions();
    scan.focus();
  });

  scan.addEventListener("blur", () => setTimeout(closeSuggestions, 150));

  // ---------- customer ----------
  function showCustomer(customer) {
    state.customer = customer;
    $("customer-found").hidden = !customer;
    $("customer-new").hidden = true;
    if (customer) {
      $("customer-name").textContent = `${customer.name} (${customer.phone})`;
      $("customer-balance").textContent = Number(customer.balance) ? `owes ${customer.balance_text}` : "";
      $("email-to").value = customer.email || "";
    }
    requestQuote();
  }

  async function findCustomer() {
    const phone = $("customer-phone").value.trim();
    root.querySelector('[data-error-for="customer"]').textContent = "";
    if (!phone) return;
    const { status, data } = await api(`${urls.customer}?phone=${encodeURIComponent(phone)}`);
    if (data.ok) { showCustomer(data.customer); return; }
    if (status === 404) { $("customer-new").hidden = false; $("new-name").focus(); return; }
    showErrors(data.errors);
  }

  $("customer-find").addEventListener("click", findCustomer);
  $("customer-phone").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); findCustomer(); }
  });
  $("customer-clear").addEventListener("click", () => { $("customer-phone").value = ""; showCustomer(null); });
  $("customer-save").addEventListener("click", async () => {
    const { data } = await api(urls.customer, {
      method: "POST",
      body: { name: $("new-name").value, phone: $("customer-phone").value, email: $("new-email").value,
              state: $("new-state").value, gstin: $("new-gstin").value },
    });
    if (data.ok) showCustomer(data.customer);
    else showErrors(Object.fromEntries(Object.entries(data.errors).map(([, v]) => ["customer", v])));
  });

  // ---------- completing the sale ----------
  async function completeSale() {
    if (state.busy || state.invoice) return;
    if (!state.cart.length) { showErrors({ scan: ["The bill is empty: scan a product first."] }); return; }
    state.busy = true;
    completeButton.disabled = true;
    clearErrors();
    const approval = $("approval").hidden ? null : { username: $("approver-name").value, password: $("approver-password").value };
    try {
      const { data } = await api(urls.checkout, {
        method: "POST",
        body: {
          idempotency_key: state.key,
          lines: cartPayload(),
          payments: payments(),
          customer_id: state.customer && state.customer.id,
          bill_discount: $("bill-discount").value || "0",
          approval,
        },
      });
      if (data.ok) {
        showDone(data.invoice);
      } else {
        if (data.needs_approval) { $("approval").hidden = false; $("approver-name").focus(); }
        showErrors(data.errors);
      }
    } catch (error) {
      showErrors({ __all__: ["The server could not be reached. The bill is kept: press F8 again."] });
    } finally {
      state.busy = false;
      completeButton.disabled = false;
    }
  }

  function showDone(invoice) {
    state.invoice = invoice;
    $("done-number").textContent = invoice.number;
    $("done-total").textContent = invoice.grand_total_text;
    $("done-change").textContent = invoice.change_text;
    $("done-due").hidden = !Number(invoice.balance_due);
    $("done-due-amount").textContent = invoice.balance_due_text;
    for (const [id, url] of [["done-pdf", invoice.pdf_url], ["done-receipt", invoice.receipt_url], ["done-invoice", invoice.admin_url]]) {
      $(id).hidden = !url;
      if (url) $(id).href = url;
    }
    $("done-whatsapp").href = invoice.whatsapp_url;
    // The customer scans this from their side of the counter; the cashier types the UTR once paid.
    const upiDue = Number(invoice.upi_due) > 0;
    $("done-upi").hidden = !upiDue || !invoice.upi_qr;
    $("done-upi-qr").innerHTML = invoice.upi_qr || "";
    $("done-upi-amount").textContent = invoice.upi_due_text;
    $("upi-confirmed").hidden = true;
    $("upi-utr").value = "";
    $("email-form").hidden = !invoice.email_url;
    $("email-sent").hidden = true;
    if (invoice.customer_email) $("email-to").value = invoice.customer_email;
    $("done").hidden = false;
    $("new-bill").focus();
  }

  $("email-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { data } = await api(state.invoice.email_url, { method: "POST", body: { to: $("email-to").value } });
    if (data.ok) $("email-sent").hidden = false;
    else showErrors({ email: Object.values(data.errors).flat() });
  });

  $("upi-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    root.querySelector('[data-error-for="utr"]').textContent = "";
    const { data } = await api(urls.confirm_upi, { method: "POST", body: { invoice_id: state.invoice.id, utr: $("upi-utr").value } });
    if (data.ok) {
      $("upi-confirmed").hidden = false;
      $("done-due").hidden = !Number(data.invoice.balance_due);
      $("done-due-amount").textContent = data.invoice.balance_due_text;
    } else {
      showErrors({ utr: Object.values(data.errors).flat() });
    }
  });

  function newBill() {
    state.cart = [];
    state.quote = null;
    state.invoice = null;
    state.key = newKey();
    root.querySelectorAll("#payments input, #bill-discount, #approval input").forEach((input) => { input.value = ""; });
    $("approval").hidden = true;
    $("customer-phone").value = "";
    $("done").hidden = true;
    showCustomer(null);
    clearErrors();
    renderCart();
    renderTotals();
    scan.focus();
  }

  completeButton.addEventListener("click", completeSale);
  $("new-bill").addEventListener("click", newBill);

  // ---------- keyboard ----------
  document.addEventListener("keydown", (event) => {
    if (event.key === "F2") { event.preventDefault(); if (!state.invoice) scan.focus(); }
    else if (event.key === "F4") {
      event.preventDefault();
      const cash = $("pay-cash");
      if (!cash.value && state.quote && state.quote.totals) cash.value = state.quote.totals.grand_total;
      cash.focus();
      cash.select();
      renderBalance();
    } else if (event.key === "F8") { event.preventDefault(); completeSale(); }
    else if (event.key === "F9") {
      event.preventDefault();
      if (state.invoice || !state.cart.length || window.confirm("Clear this bill and start a new one?")) newBill();
    }
  });

  renderCart();
  renderTotals();
  scan.focus();
})();
