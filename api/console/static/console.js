// The Chronos console's own script (no inline scripts: the CSP allows only files from /console/static).
(function () {
  "use strict";

  // Language pickers and filters submit as soon as they change.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains("autosubmit") && target.form) {
      target.form.submit();
    }
  });

  // Every htmx request carries the session's CSRF token (the page's first csrf field).
  document.addEventListener("htmx:configRequest", function (event) {
    var field = document.querySelector("input[name=csrf]");
    if (field) event.detail.headers["X-CSRF-Token"] = field.value;
  });

  // The Mini App page: Telegram opens it with the signed initData in the URL fragment (#tgWebAppData=…),
  // the same place telegram-web-app.js reads it from. Post it once; the server checks its signature.
  function telegramSignIn() {
    var form = document.getElementById("init-data-form");
    if (!form) return;
    var hash = window.location.hash.replace(/^#/, "");
    var data = new URLSearchParams(hash).get("tgWebAppData");
    if (!data) {
      document.getElementById("no-init-data").hidden = false;
      return;
    }
    document.getElementById("init-data").value = data;
    history.replaceState(null, "", window.location.pathname + window.location.search);
    form.submit();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", telegramSignIn);
  } else {
    telegramSignIn();
  }
})();
