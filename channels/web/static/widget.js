/* Front desk web chat: <script src="https://YOUR-BOT/web/widget.js" async></script>
 * No dependencies. The visitor's token is kept in localStorage (no cookie);
 * every text from the bot is shown with textContent, never as HTML. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || window.__frontDeskChat) return;
  window.__frontDeskChat = true;
  var api = (me.getAttribute("data-api") || new URL(me.src, location.href).origin).replace(/\/$/, "");
  var title = me.getAttribute("data-title") || "Chat with us";
  var key = "frontdesk-chat:" + api;
  var token = load(), es = null, lastId = 0, open = null, shown = {}, delay = 2000;

  function load() { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function save(t) { token = t; try { localStorage.setItem(key, t); } catch (e) { /* private mode */ } }
  function el(tag, cls, text, role) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text) n.textContent = text;
    if (role) n.setAttribute("data-role", role);
    return n;
  }
  function rid() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 10); }

  var host = el("div"), root = host.attachShadow({ mode: "open" });
  host.id = "frontdesk-chat";
  var css = el("style");
  css.textContent =
    ":host{all:initial}*{box-sizing:border-box;font:14px/1.4 system-ui,sans-serif}" +
    ".b{position:fixed;right:20px;bottom:20px;z-index:2147483647;border:0;border-radius:24px;" +
    "padding:12px 18px;background:#1f4e79;color:#fff;cursor:pointer}" +
    ".p{position:fixed;right:20px;bottom:76px;z-index:2147483647;width:340px;max-width:calc(100vw - 40px);" +
    "height:460px;max-height:calc(100vh - 100px);display:none;flex-direction:column;background:#fff;" +
    "border:1px solid #ccd;border-radius:12px;box-shadow:0 6px 24px rgba(0,0,0,.18);overflow:hidden}" +
    ".p.o{display:flex}.h{padding:10px 14px;background:#1f4e79;color:#fff;font-weight:600}" +
    ".l{flex:1;overflow-y:auto;padding:10px;background:#f6f7f9}" +
    ".m{margin:6px 0;padding:8px 11px;border-radius:10px;max-width:85%;white-space:pre-wrap;word-wrap:break-word}" +
    ".y{margin-left:auto;background:#1f4e79;color:#fff}.t{background:#fff;border:1px solid #dde}" +
    ".n{font-size:12px;color:#666;text-align:center;margin:6px 0}.w{color:#888;display:none}.w.o{display:block}" +
    "form{display:flex;gap:6px;padding:8px;border-top:1px solid #eee;margin:0}" +
    "input{flex:1;min-width:0;padding:8px;border:1px solid #bbc;border-radius:8px}" +
    "button{padding:8px 12px;border:0;border-radius:8px;background:#1f4e79;color:#fff;cursor:pointer}" +
    ".v{display:none}.v.o{display:flex}.k{background:none;color:#1f4e79;padding:4px 10px;text-align:left;font-size:12px}";
  var button = el("button", "b", title, "open");
  var panel = el("div", "p", null, "panel");
  var head = el("div", "h", title);
  var log = el("div", "l", null, "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var typing = el("div", "m t w", "…", "typing");
  typing.setAttribute("aria-label", "The reply is being written");
  var form = el("form"), input = el("input", null, null, "input"), send = el("button", null, "Send", "send");
  input.placeholder = "Type your message";
  input.maxLength = 4000;
  input.setAttribute("aria-label", "Your message");
  form.appendChild(input);
  form.appendChild(send);
  var verifyLink = el("button", "k", me.getAttribute("data-verify") || "Verify your phone number to see your bookings", "verify-open");
  verifyLink.type = "button";
  var phoneForm = el("form", "v"), phone = el("input", null, null, "phone"), phoneSend = el("button", null, "Send code", "phone-send");
  phone.placeholder = me.getAttribute("data-verify-placeholder") || "Your phone number";
  phoneForm.appendChild(phone);
  phoneForm.appendChild(phoneSend);
  var codeForm = el("form", "v"), code = el("input", null, null, "code"), codeSend = el("button", null, "Confirm", "code-send");
  code.placeholder = "6-digit code";
  code.inputMode = "numeric";
  code.maxLength = 6;
  codeForm.appendChild(code);
  codeForm.appendChild(codeSend);
  log.appendChild(typing);
  [head, log, verifyLink, phoneForm, codeForm, form].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(css);
  root.appendChild(button);
  root.appendChild(panel);

  function scroll() { log.scrollTop = log.scrollHeight; }
  function line(cls, text, role) { var n = el("div", "m " + cls, text, role); log.insertBefore(n, typing); scroll(); return n; }
  function wait(on) { typing.classList.toggle("o", on); scroll(); }
  function note(text) { log.insertBefore(el("div", "n", text, "note"), typing); scroll(); }

  function post(path, body, auth) {
    var headers = { "Content-Type": "application/json" };
    if (auth !== false && token) headers.Authorization = "Bearer " + token;
    return fetch(api + path, { method: "POST", headers: headers, body: JSON.stringify(body || {}) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (d) { return { status: r.status, data: d }; });
      });
  }

  // A new token when there is none or it is refused; the session keeps a still-valid one.
  function session() {
    return post("/web/v1/session", {}).then(function (r) {
      if (r.status === 201 || r.status === 200) save(r.data.token);
      return r;
    });
  }

  function onSentence(e) {
    lastId = +e.lastEventId || lastId;
    var d = JSON.parse(e.data);
    wait(false);
    if (d.text) {
      if (open) open.textContent += " " + d.text;
      else open = line("t", d.text, "bot");
      scroll();
    }
    if (d.last && open) { open.setAttribute("data-done", ""); open = null; }
  }
  function onVisitor(e) {
    lastId = +e.lastEventId || lastId;
    var d = JSON.parse(e.data);
    if (!shown[d.id]) { shown[d.id] = 1; open = null; line("y", d.text, "you"); }
  }
  function connect() {
    if (es) es.close();
    es = new EventSource(api + "/web/v1/stream?token=" + encodeURIComponent(token) + "&after=" + lastId);
    es.addEventListener("sentence", onSentence);
    es.addEventListener("visitor", onVisitor);
    es.onopen = function () { delay = 2000; };
    es.onerror = function () {
      // EventSource retries by itself unless the server refused (a bad token): renew, then.
      if (es.readyState === 2) {
        setTimeout(function () { session().then(connect, connect); }, delay);
        delay = Math.min(delay * 2, 60000);
      }
    };
  }
  function start() {
    // Renews a kept token (same visitor, valid from now) or gets a first one.
    session().then(function () { if (token) connect(); else note("Chat is unavailable right now."); });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    var id = rid();
    shown[id] = 1;
    open = null;
    line("y", text, "you");
    wait(true);
    post("/web/v1/messages", { text: text, id: id }).then(function (r) {
      if (r.status >= 400) wait(false);
      if (r.status === 429) note("You're sending messages quickly; please wait a moment.");
      else if (r.status === 401) session().then(connect).then(function () { note("Please send that again."); });
      else if (r.status >= 400) note("Not sent: " + (r.data.error || r.status));
    }, function () { wait(false); note("Not sent: no connection."); });
  });
  verifyLink.addEventListener("click", function () { phoneForm.classList.toggle("o"); phone.focus(); });
  phoneForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    post("/web/v1/verify", { address: phone.value.trim() }).then(function (r) {
      note(r.data.message || r.data.error || "Could not send a code.");
      if (r.status === 202) { codeForm.classList.add("o"); code.focus(); }
    });
  });
  codeForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    post("/web/v1/verify/confirm", { code: code.value.trim() }).then(function (r) {
      note(r.data.message || r.data.error || "That did not work.");
      if (r.status === 200) { phoneForm.classList.remove("o"); codeForm.classList.remove("o"); verifyLink.style.display = "none"; }
    });
  });
  button.addEventListener("click", function () {
    panel.classList.toggle("o");
    if (panel.classList.contains("o")) { if (!es) start(); input.focus(); }
  });

  (document.body || document.documentElement).appendChild(host);
  if (me.hasAttribute("data-open")) button.click();
})();
