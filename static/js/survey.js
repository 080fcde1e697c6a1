/* Counter survey screen: poll for the clerk's next invitation while idle; after a vote, show the
   thanks for a few seconds and go back to idle. No library; without JavaScript a <noscript>
   meta refresh does the same, more slowly. */
(function () {
  "use strict";
  var idle = document.querySelector("[data-poll-url]");
  if (!idle) return;
  var idleUrl = idle.getAttribute("data-idle-url");
  if (idle.hasAttribute("data-thanks")) {
    window.setTimeout(function () { window.location.replace(idleUrl); }, 4000);
    return;
  }
  var pollUrl = idle.getAttribute("data-poll-url");
  var interval = parseInt(idle.getAttribute("data-interval") || "2000", 10);
  function poll() {
    fetch(pollUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.redirected) { window.location.reload(); return null; } // session ended: to login
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.url) { window.location.assign(data.url); return; }
        window.setTimeout(poll, interval);
      })
      .catch(function () { window.setTimeout(poll, interval * 3); }); // server unreachable: slower
  }
  window.setTimeout(poll, interval);
})();
