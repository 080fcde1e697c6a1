// The counter works from the keyboard: the intake form opens on the applicant's name (or on the
// first field in error after a refused submit), and the procedure list answers the arrow keys.
(function () {
  "use strict";

  function focusIntakeForm() {
    var form = document.getElementById("bieu-mau-tiep-nhan");
    if (!form) return;
    var target = form.querySelector(".is-invalid") || document.getElementById("id_applicant_name");
    if (target) {
      target.focus();
      if (target.scrollIntoView) target.scrollIntoView({ block: "center" });
    }
  }

  function choices() {
    return Array.prototype.slice.call(document.querySelectorAll("#ds-thu-tuc .list-group-item"));
  }

  function moveInList(event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var items = choices();
    if (!items.length) return;
    var search = document.getElementById("q");
    var index = items.indexOf(document.activeElement);
    if (document.activeElement === search) {
      if (event.key !== "ArrowDown") return;
      index = 0;
    } else if (index === -1) {
      return;
    } else if (event.key === "ArrowDown") {
      index = Math.min(index + 1, items.length - 1);
    } else if (index === 0 && search) {
      event.preventDefault();
      search.focus();
      return;
    } else {
      index -= 1;
    }
    event.preventDefault();
    items[index].focus();
  }

  // A new channel may have its own time limit: ask the appointment card (#hen-tra, htmx, swapped
  // in place) to recompute. An event rather than an hx-trigger filter, which htmx would eval()
  // and the Content-Security-Policy refuses.
  function channelChanged(event) {
    if (!event.target || event.target.name !== "channel") return;
    var card = document.getElementById("hen-tra");
    if (card) card.dispatchEvent(new CustomEvent("channel-changed"));
  }

  // The appointment preview refreshes every minute inside a live region; an answer that says
  // the same thing is not swapped in, so a screen reader announces only a real change.
  function skipSamePreview(event) {
    var target = event.detail.target;
    if (!target || target.id !== "hen-tra" || !event.detail.serverResponse) return;
    var incoming = new DOMParser().parseFromString(event.detail.serverResponse, "text/html").body;
    var squash = function (text) { return text.replace(/\s+/g, " ").trim(); };
    if (squash(incoming.textContent) === squash(target.textContent)) event.detail.shouldSwap = false;
  }

  document.addEventListener("DOMContentLoaded", focusIntakeForm);
  document.addEventListener("htmx:beforeSwap", skipSamePreview);
  document.addEventListener("keydown", moveInList);
  document.addEventListener("change", channelChanged);
})();
