/* The billing counter, an Alpine.js component (unfold loads Alpine on every admin page).
   The server prices, checks and records everything; this script keeps the cart, asks for live
   totals and shows each error next to the field at fault. The cart is a keyed x-for: an answer
   from the server updates amounts and messages, never the box a cashier is typing in. Loaded
   without defer so that it registers before Alpine starts. */
document.addEventListener("alpine:init", () => {
  "use strict";

  const QUOTE_DELAY_MS = 120;   // a pause this long in typing asks for live totals
  const SEARCH_DELAY_MS = 150;
  const MAX_QUANTITY = 999999999.999;  // the most an invoice line holds
  const MAX_AMOUNT = 999999999999.99;
  const METHODS = ["cash", "upi", "card", "credit", "store"];  // store: the customer's store credit
  const rupees = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR", minimumFractionDigits: 2 });
  const inr = (value) => rupees.format(Number(value || 0));
  const paise = (text) => Math.round(Number(text || 0) * 100);
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

  // ---------- what a cashier types, checked before the server is asked ----------
  // Digits with at most `decimals` places: no sign, no exponent ("1e9"), no grouping.
  const plainNumber = (text, decimals) =>
    new RegExp(`^(\\d+(\\.\\d{0,${decimals}})?|\\.\\d{1,${decimals}})$`).test(text);

  function quantityProblem(line) {
    const text = line.quantity.trim();
    if (!text) return "Type the quantity.";
    if (text.startsWith("-")) return "The quantity must be more than zero; goods coming back are a return.";
    if (/^\d*\.\d{4,}$/.test(text)) return "A quantity has at most 3 decimals.";
    if (!plainNumber(text, 3)) return `"${text}" is not a quantity: type digits, like 2 or 1.5.`;
    const value = Number(text);
    if (value === 0) return "The quantity cannot be zero.";
    if (value > MAX_QUANTITY) return "That quantity is more than one bill can hold.";
    if (!line.product.fraction && !Number.isInteger(value)) {
      return `Sold in whole ${line.product.unit}: type a whole number.`;
    }
    return "";
  }

  function amountProblem(value, what) {
    const text = (value || "").trim();
    if (!text) return "";
    if (text.startsWith("-")) return `${what} cannot be negative.`;
    if (!plainNumber(text, 2)) return `"${text}" is not an amount: type rupees, like 50 or 49.50.`;
    if (Number(text) > MAX_AMOUNT) return `${what} is too large.`;
    return "";
  }

  const lineProblem = (line) => quantityProblem(line) || amountProblem(line.discount, "A discount");

  function nextQuantity(text) {
    return plainNumber(text.trim(), 3) ? String(Number((Number(text) + 1).toFixed(3))) : "1";
  }

  // ---------- the server's errors, placed next to what they name ----------
  // Lines come back as "line-2" or "lines[2].quantity", payments as "payments[0].amount": both are
  // indexes into what that request sent, so they are resolved against its snapshot.
  const AREA_OF_KEY = { bill_discount: "discount", customer_id: "customer", lines: "scan", idempotency_key: "__all__",
                        coupon_code: "coupon" };
  const AREAS = ["scan", "customer", "discount", "coupon", "payments", "approval", "utr", "email", "__all__"];
  const LINE_KEY = /^lines?(?:-|\[|\.)(\d+)\]?(?:\.\w+)?$/;
  const PAYMENT_KEY = /^payments(?:\[|\.)(\d+)\]?(?:\.\w+)?$/;

  function placeErrors(errors, { lines = [], methods = [] } = {}) {
    const placed = { lines: new Map(), payments: {}, areas: {} };
    const join = (...texts) => texts.filter(Boolean).join(" ");
    for (const [key, messages] of Object.entries(errors || {})) {
      const text = [].concat(messages).join(" ");
      const line = lines[Number((key.match(LINE_KEY) || [])[1] ?? NaN)];
      const method = methods[Number((key.match(PAYMENT_KEY) || [])[1] ?? NaN)];
      if (line) {
        placed.lines.set(line, join(placed.lines.get(line), text));
      } else if (method) {
        placed.payments[method] = join(placed.payments[method], text);
      } else {
        const area = AREA_OF_KEY[key] || (key.startsWith("approval") ? "approval" : AREAS.includes(key) ? key : "__all__");
        placed.areas[area] = join(placed.areas[area], text);
      }
    }
    return placed;
  }

  Alpine.data("counter", () => {
    // Bookkeeping outside Alpine's reactivity: timers and the live-total request sequence.
    const quoting = { seq: 0, timer: null, inflight: null };
    let searchTimer = null;
    let nextLineKey = 1;
    let urls = {};
    let csrf = "";

    async function api(url, { method = "GET", body } = {}) {
      const response = await fetch(url, {
        method,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
      try {
        return { status: response.status, data: await response.json() };
      } catch (_) {
        return { status: response.status, data: { ok: false, errors: { __all__: ["The server did not answer properly; try again."] } } };
      }
    }

    // Everything one bill holds; F9 starts again from here.
    const blankBill = () => ({
      cart: [],             // {key, product, quantity, discount, amount, quoteError, checkoutError}
      query: "",
      results: [],
      highlighted: -1,
      customerPhone: "",
      customer: null,
      addingCustomer: false,
      newCustomer: { name: "", email: "" },
      billDiscount: "",
      couponInput: "",      // what is typed in the coupon box
      coupon: "",           // the code applied (Enter or Apply): quotes and the sale send this one
      pay: { cash: "", upi: "", card: "", credit: "", store: "" },
      reference: { upi: "", card: "" },
      paymentErrors: {},    // method -> the checkout's message
      quote: null,          // the last live total that answered the cart as it is
      quotePending: false,
      quoteErrors: {},      // area -> message, replaced by each live total
      errors: {},           // area -> message of a scan, a customer look-up or the checkout
      approval: { open: false, reason: "", username: "", password: "" },
      busy: false,
      key: newKey(),        // one idempotency key per bill: a double click or a retry makes one invoice
      invoice: null,
      utr: "",
      upiConfirmed: false,
      emailTo: "",
      emailSent: false,
    });

    return {
      ...blankBill(),
      held: [],             // the cashier's held bills, kept on the server; a new bill keeps the list
      heldError: "",

      init() {
        urls = JSON.parse(document.getElementById("counter-urls").textContent);
        csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
        this.$nextTick(() => this.$refs.scan.focus());
        this.loadHeld();
      },

      inr,

      // ---------- the cart ----------
      lineMeta(line) {
        const p = line.product;
        return `${p.sku} · ${p.unit} · GST ${p.tax_rate}% · in stock ${p.on_hand}`;
      },
      quantityProblem,
      lineProblem,
      lineError(line) { return lineProblem(line) || line.checkoutError || line.quoteError; },
      lineAmount(line) {
        if (lineProblem(line)) return "—";
        return line.amount ? inr(line.amount) : "";
      },

      addProduct(product) {
        const existing = this.cart.find((line) => line.product.id === product.id);
        if (existing) {
          existing.quantity = nextQuantity(existing.quantity);
          existing.checkoutError = "";
        } else {
          this.cart.push({ key: nextLineKey++, product, quantity: "1", discount: "", amount: "", offers: [], quoteError: "", checkoutError: "" });
        }
        this.scheduleQuote();
      },

      lineEdited(line) {
        line.checkoutError = "";
        this.scheduleQuote();
      },

      removeLine(line) {
        this.cart.splice(this.cart.indexOf(line), 1);
        this.scheduleQuote();
        this.$refs.scan.focus();
      },

      // ---------- live totals, computed by the server ----------
      // Every edit takes a new sequence number and every request carries the number of the cart it
      // priced: an answer for an older cart is dropped, so a slow answer never overwrites a newer one.
      scheduleQuote() {
        quoting.seq += 1;
        clearTimeout(quoting.timer);
        quoting.timer = null;
        if (!this.cart.length) {
          this.quote = null;
          this.quoteErrors = {};
          this.quotePending = false;
          return;
        }
        this.quotePending = true;
        quoting.timer = setTimeout(() => this.sendQuote(), QUOTE_DELAY_MS);
      },

      sendQuote() {
        quoting.timer = null;
        const seq = quoting.seq;
        if (!this.cart.length || this.hasProblems) {  // the marked field says what to correct
          this.quotePending = false;
          quoting.inflight = null;
          return;
        }
        const lines = [...this.cart];
        const body = { lines: this.linesPayload(lines), customer_id: this.customer && this.customer.id, bill_discount: this.billDiscount.trim() || "0", coupon_code: this.coupon };
        quoting.inflight = (async () => {
          let answer;
          try {
            answer = (await api(`${urls.quote}?seq=${seq}`, { method: "POST", body })).data;
          } catch (_) {
            answer = { ok: false, errors: { __all__: ["Live totals are not available: the server could not be reached."] } };
          }
          if (seq !== quoting.seq) return;  // the cart changed meanwhile: a later answer follows
          const placed = placeErrors(answer.ok ? answer.warnings : answer.errors, { lines });
          lines.forEach((line, index) => {
            line.quoteError = placed.lines.get(line) || "";
            line.amount = answer.ok && answer.lines[index] ? answer.lines[index].total : "";
            line.offers = answer.ok && answer.lines[index] ? answer.lines[index].offers || [] : [];
          });
          this.quoteErrors = placed.areas;
          this.quote = answer.ok ? answer : null;
          this.quotePending = false;
        })();
      },

      // Resolve once the totals on screen answer the cart as it is now.
      async freshQuote() {
        for (;;) {
          if (quoting.timer) {
            clearTimeout(quoting.timer);
            this.sendQuote();
          }
          const request = quoting.inflight;
          if (!request) return;
          await request;
          if (request === quoting.inflight) quoting.inflight = null;
        }
      },

      linesPayload(lines) {
        return lines.map((line) => ({ product_id: line.product.id, quantity: line.quantity.trim(), discount: line.discount.trim() || "0" }));
      },

      get discountProblem() { return amountProblem(this.billDiscount, "The bill discount"); },
      get hasProblems() { return this.cart.some(lineProblem) || Boolean(this.discountProblem); },

      // "empty", "invalid" (a field is wrong: no total is shown), "pending" (an answer is on its way) or "ok".
      get totalsState() {
        if (!this.cart.length) return "empty";
        if (this.hasProblems) return "invalid";
        if (this.quotePending) return "pending";
        return this.quote ? "ok" : "invalid";
      },
      total(name) {
        if (this.totalsState === "invalid") return "—";
        return inr(this.quote && this.quote.totals && this.quote.totals[name]);
      },
      get interState() { return Boolean(this.quote && this.quote.inter_state); },

      // ---------- offers and the coupon ----------
      lineOffers(line) {
        if (lineProblem(line) || this.totalsState !== "ok") return "";
        return (line.offers || []).map((offer) => `${offer.name}${offer.coupon ? " (coupon)" : ""} −${offer.amount_text}`).join(" · ");
      },
      get couponApplied() {
        if (this.totalsState !== "ok" || !this.quote || !this.quote.coupon) return "";
        const given = (this.quote.offers || []).filter((offer) => offer.coupon).reduce((sum, offer) => sum + paise(offer.amount), 0);
        return `Coupon ${this.quote.coupon.code} applied: −${inr(given / 100)}`;
      },
      applyCoupon() {
        this.coupon = this.couponInput.trim();
        delete this.errors.coupon;
        this.scheduleQuote();
      },
      removeCoupon() {
        this.couponInput = "";
        this.applyCoupon();
      },
      couponEdited() { delete this.errors.coupon; },

      billDiscountEdited() {
        delete this.errors.discount;
        this.scheduleQuote();
      },

      // ---------- payments ----------
      paymentError(method) {
        return amountProblem(this.pay[method], "A payment") || this.paymentErrors[method] || "";
      },
      get badPaymentMethod() { return METHODS.find((method) => amountProblem(this.pay[method], "A payment")); },
      paymentEdited(method) {
        delete this.paymentErrors[method];
        delete this.errors.payments;
      },
      payments() {
        return METHODS.filter((method) => !amountProblem(this.pay[method], "") && paise(this.pay[method]) > 0)
          .map((method) => ({ method, amount: this.pay[method].trim(), reference: (this.reference[method] || "").trim() }));
      },
      get balance() {
        if (this.totalsState === "invalid") return { label: "Due", amount: "—", kind: "" };
        const due = paise(this.quote && this.quote.totals && this.quote.totals.grand_total);
        const paid = this.payments().reduce((sum, p) => sum + paise(p.amount), 0);
        const left = due - paid;
        if (left > 0) return { label: "Due", amount: inr(left / 100), kind: "" };
        if (left < 0) return { label: "Change", amount: inr(-left / 100), kind: "is-change" };
        if (due > 0) return { label: "Fully paid", amount: "✓", kind: "is-paid" };
        return { label: "Due", amount: inr(0), kind: "" };
      },

      // F4: fill the cash box with what is still due, from totals that include the latest edits.
      async payByCash() {
        const cash = this.$refs.cash;
        cash.focus();
        await this.freshQuote();
        if (this.totalsState !== "ok") { this.focusFirstProblem(); return; }
        if (!this.pay.cash.trim()) {
          const others = this.payments().filter((p) => p.method !== "cash").reduce((sum, p) => sum + paise(p.amount), 0);
          const left = paise(this.quote.totals.grand_total) - others;
          if (left > 0) this.pay.cash = (left / 100).toFixed(2);
        }
        await this.$nextTick();
        if (document.activeElement === cash) cash.select();
      },

      focusFirstProblem() {
        const index = this.cart.findIndex(lineProblem);
        if (index >= 0) {
          const row = this.$refs.cart.querySelectorAll("tbody tr")[index];
          const field = quantityProblem(this.cart[index]) ? "input.qty" : "input.disc";
          if (row) row.querySelector(field).focus();
        } else if (this.discountProblem) {
          this.$refs.billDiscount.focus();
        } else if (this.badPaymentMethod) {
          document.getElementById(`pay-${this.badPaymentMethod}`).focus();
        }
      },

      // ---------- errors next to the thing at fault ----------
      areaError(area) {
        const local = area === "discount" ? this.discountProblem : "";
        return local || this.errors[area] || this.quoteErrors[area] || "";
      },
      showError(area, messages) {
        this.errors = { ...this.errors, [area]: [].concat(messages).join(" ") };
      },

      // ---------- scanning and searching ----------
      scanInput() {
        delete this.errors.scan;
        clearTimeout(searchTimer);
        const query = this.query.trim();
        searchTimer = setTimeout(() => this.search(query), SEARCH_DELAY_MS);
      },
      async search(query) {
        if (query.length < 2) { this.closeSuggestions(); return; }
        const { data } = await api(`${urls.search}?q=${encodeURIComponent(query)}`);
        if (this.query.trim() !== query) return;  // typed on meanwhile
        this.results = data.results || [];
        this.highlighted = this.results.length ? 0 : -1;
      },
      closeSuggestions() { this.results = []; this.highlighted = -1; },
      scanBlurred() { setTimeout(() => this.closeSuggestions(), 150); },

      async scanKeydown(event) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          if (!this.results.length) return;
          event.preventDefault();
          const delta = event.key === "ArrowDown" ? 1 : -1;
          this.highlighted = (this.highlighted + delta + this.results.length) % this.results.length;
        } else if (event.key === "Enter") {
          event.preventDefault();
          const code = event.target.value.trim();  // a scanner's Enter follows its digits at once
          if (!code) return;
          clearTimeout(searchTimer);
          this.query = "";
          const picked = this.results[this.highlighted];
          // A scanner types a whole code then Enter: an exact code wins over a half-typed search.
          const exact = this.results.find((p) => p.barcode === code || p.sku.toLowerCase() === code.toLowerCase());
          this.closeSuggestions();
          if (exact) this.addProduct(exact);
          else if (picked && !/^\d{8,14}$/.test(code)) this.addProduct(picked);
          else await this.lookupCode(code);
        } else if (event.key === "Escape") {
          this.query = "";
          this.closeSuggestions();
        }
      },
      async lookupCode(code) {
        const { data } = await api(`${urls.product}?code=${encodeURIComponent(code)}`);
        if (data.ok) this.addProduct(data.product);
        else this.errors = { ...this.errors, ...placeErrors(data.errors).areas };
      },
      pick(index) {
        this.addProduct(this.results[index]);
        this.query = "";
        this.closeSuggestions();
        this.$refs.scan.focus();
      },

      // ---------- customer ----------
      get hasStoreCredit() { return Boolean(this.customer && Number(this.customer.store_credit) > 0); },
      setCustomer(customer) {
        this.customer = customer;
        if (!this.hasStoreCredit) this.pay.store = "";  // another customer's credit is never spent
        this.addingCustomer = false;
        delete this.errors.customer;
        if (customer) this.emailTo = customer.email || "";
        this.scheduleQuote();  // the customer's state decides CGST + SGST or IGST
      },
      async findCustomer() {
        const phone = this.customerPhone.trim();
        delete this.errors.customer;
        if (!phone) return;
        const { status, data } = await api(`${urls.customer}?phone=${encodeURIComponent(phone)}`);
        if (data.ok) { this.setCustomer(data.customer); return; }
        if (status === 404) {
          this.addingCustomer = true;
          this.$nextTick(() => this.$refs.newName.focus());
          return;
        }
        this.showError("customer", Object.values(data.errors).flat());
      },
      walkIn() {
        this.customerPhone = "";
        this.setCustomer(null);
      },
      async saveCustomer() {
        // State and GSTIN are hidden inputs for a cashier (the server refuses them from one); the credit
        // limit box exists only for an owner or manager, and left empty the shop's default limit applies.
        const field = (id) => document.getElementById(id).value;
        const body = { name: this.newCustomer.name, phone: this.customerPhone, email: this.newCustomer.email,
                       state: field("new-state"), gstin: field("new-gstin") };
        const limit = document.getElementById("new-credit-limit");
        if (limit && limit.value.trim()) body.credit_limit = limit.value.trim();
        const { data } = await api(urls.customer, { method: "POST", body });
        if (data.ok) this.setCustomer(data.customer);
        else this.showError("customer", Object.values(data.errors).flat());
      },

      // ---------- completing the sale ----------
      async completeSale() {
        if (this.busy || this.invoice) return;
        if (!this.cart.length) { this.showError("scan", "The bill is empty: scan a product first."); return; }
        if (this.hasProblems || this.badPaymentMethod) {
          this.focusFirstProblem();
          return;
        }
        if (this.couponInput.trim() !== this.coupon) this.applyCoupon();  // the box's code is the one sold with
        this.busy = true;
        const lines = [...this.cart];
        const payments = this.payments();
        lines.forEach((line) => { line.checkoutError = ""; });
        this.paymentErrors = {};
        this.errors = {};
        const approval = this.approval.open && this.approval.username
          ? { username: this.approval.username, password: this.approval.password } : null;
        try {
          const { data } = await api(urls.checkout, {
            method: "POST",
            body: {
              idempotency_key: this.key,
              lines: this.linesPayload(lines),
              payments,
              customer_id: this.customer && this.customer.id,
              bill_discount: this.billDiscount.trim() || "0",
              coupon_code: this.coupon,
              approval,
            },
          });
          if (data.ok) { this.showDone(data.invoice); return; }
          const placed = placeErrors(data.errors, { lines, methods: payments.map((p) => p.method) });
          lines.forEach((line) => { line.checkoutError = placed.lines.get(line) || ""; });
          this.paymentErrors = placed.payments;
          if (data.needs_approval) {
            // The reason lives in the approval box until the next attempt: live totals never touch it.
            const { approval: approvalError, ...reasons } = placed.areas;
            this.approval.reason = Object.values(reasons).join(" ") || this.approval.reason;
            this.errors = approvalError ? { approval: approvalError } : {};
            this.approval.open = true;
            this.$nextTick(() => this.$refs.approverName.focus());
          } else {
            this.errors = placed.areas;
          }
        } catch (_) {
          this.showError("__all__", "The server could not be reached. The bill is kept: press F8 again.");
        } finally {
          this.busy = false;
        }
      },

      showDone(invoice) {
        this.invoice = invoice;
        this.upiConfirmed = false;
        this.utr = "";
        this.emailSent = false;
        if (invoice.customer_email) this.emailTo = invoice.customer_email;
        this.$nextTick(() => this.$refs.newBill.focus());
      },
      get upiDue() { return Boolean(this.invoice && Number(this.invoice.upi_due) > 0 && this.invoice.upi_qr); },

      async sendEmail() {
        delete this.errors.email;
        const { data } = await api(this.invoice.email_url, { method: "POST", body: { to: this.emailTo } });
        if (data.ok) this.emailSent = true;
        else this.showError("email", Object.values(data.errors).flat());
      },

      async confirmUpi() {
        delete this.errors.utr;
        const { data } = await api(urls.confirm_upi, { method: "POST", body: { invoice_id: this.invoice.id, utr: this.utr } });
        if (data.ok) {
          this.upiConfirmed = true;
          this.invoice.balance_due = data.invoice.balance_due;
          this.invoice.balance_due_text = data.invoice.balance_due_text;
        } else {
          this.showError("utr", Object.values(data.errors).flat());
        }
      },

      newBill() {
        quoting.seq += 1;  // an answer still on its way belongs to the old bill
        clearTimeout(quoting.timer);
        quoting.timer = null;
        quoting.inflight = null;
        Object.assign(this, blankBill());
        this.$nextTick(() => this.$refs.scan.focus());
      },

      // ---------- held bills: park this bill for the next customer, resume it later ----------
      // The server keeps them per cashier until the day ends, so a reload loses nothing. Holding
      // reserves nothing; a resumed bill is priced again, as prices may have changed meanwhile.
      async loadHeld() {
        const { data } = await api(urls.held);
        if (data.ok) this.held = data.held;
      },

      heldClicked(event) {
        const button = event.target.closest("[data-held-action]");
        const held = button && this.held.find((bill) => String(bill.id) === button.dataset.heldId);
        if (!held) return;
        if (button.dataset.heldAction === "resume") this.resumeHeld(held);
        else this.discardHeld(held);
      },

      // Park the bill on screen and start a new one; resolve true when it was held.
      async holdBill() {
        if (this.busy || this.invoice) return false;
        this.heldError = "";
        if (!this.cart.length) { this.heldError = "Nothing to hold: the bill is empty."; return false; }
        if (this.hasProblems || this.badPaymentMethod) { this.focusFirstProblem(); return false; }
        this.busy = true;
        const lines = [...this.cart];
        const payments = this.payments();
        try {
          const { data } = await api(urls.hold, {
            method: "POST",
            body: { lines: this.linesPayload(lines), customer_id: this.customer && this.customer.id,
                    bill_discount: this.billDiscount.trim() || "0", coupon_code: this.coupon, payments },
          });
          if (data.ok) {
            this.held = data.held;
            this.newBill();
            return true;
          }
          const placed = placeErrors(data.errors, { lines, methods: payments.map((p) => p.method) });
          lines.forEach((line) => { line.checkoutError = placed.lines.get(line) || ""; });
          this.paymentErrors = placed.payments;
          const { __all__: general, ...areas } = placed.areas;
          this.errors = { ...this.errors, ...areas };
          this.heldError = general || "";
        } catch (_) {
          this.heldError = "The server could not be reached: the bill is still here, not held.";
        } finally {
          this.busy = false;
        }
        return false;
      },

      // Bring a held bill back; a bill on screen is held first, so nothing is lost.
      async resumeHeld(held) {
        if (this.busy || this.invoice) return;
        this.heldError = "";
        if (this.cart.length && !(await this.holdBill())) return;
        const { status, data } = await api(urls.resume, { method: "POST", body: { id: held.id } });
        if (!data.ok) {
          this.heldError = Object.values(data.errors || {}).flat().join(" ");
          if (status === 404) this.loadHeld();
          return;
        }
        this.held = data.held;
        this.restoreBill(data.bill);
      },

      restoreBill(bill) {
        this.newBill();
        const shown = (text) => (Number(text) ? text : "");
        this.cart = bill.lines.map((line) => ({ key: nextLineKey++, product: line.product, quantity: line.quantity,
          discount: shown(line.discount), amount: "", quoteError: "", checkoutError: "" }));
        if (bill.customer) {
          this.customerPhone = bill.customer.phone;
          this.setCustomer(bill.customer);
        }
        this.billDiscount = shown(bill.bill_discount);
        this.couponInput = this.coupon = bill.coupon_code || "";  // the quote below says whether it still applies
        for (const payment of bill.payments) {
          this.pay[payment.method] = payment.amount;
          if (payment.method in this.reference) this.reference[payment.method] = payment.reference;
        }
        if (bill.dropped.length) this.showError("scan", bill.dropped);
        this.scheduleQuote();  // today's prices, not those of the hour it was held
      },

      async discardHeld(held) {
        if (!window.confirm(`Discard the held bill "${held.label}"?`)) return;
        this.heldError = "";
        const { status, data } = await api(urls.discard, { method: "POST", body: { id: held.id } });
        if (data.ok) { this.held = data.held; return; }
        this.heldError = Object.values(data.errors || {}).flat().join(" ");
        if (status === 404) this.loadHeld();
      },

      // ---------- keyboard ----------
      shortcut(event) {
        if (event.key === "F2") { event.preventDefault(); if (!this.invoice) this.$refs.scan.focus(); }
        else if (event.key === "F4") { event.preventDefault(); if (!this.invoice) this.payByCash(); }
        else if (event.key === "F8") { event.preventDefault(); this.completeSale(); }
        else if (event.key === "F6") { event.preventDefault(); this.holdBill(); }
        else if (event.key === "F9") {
          event.preventDefault();
          if (this.invoice || !this.cart.length || window.confirm("Clear this bill and start a new one?")) this.newBill();
        }
      },
    };
  });
});
