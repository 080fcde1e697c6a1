// Behaviour that used to sit in onclick/onsubmit attributes (the Content-Security-Policy allows
// no inline script): a form with data-confirm asks before it is sent; a button with data-print prints.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });
})();
