// /verify/: hash the chosen PDF in the browser and send only its SHA-256, so the file stays on
// the reader's machine. Dropping a file on the zone chooses it. Without JavaScript (or without
// Web Crypto) the form sends the file itself and the server does the same check.
(() => {
  "use strict";

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  function init() {
    const form = document.getElementById("verify-file");
    if (!form || !window.crypto || !window.crypto.subtle) return;
    const input = form.querySelector("input[type=file]");
    const fingerprint = form.querySelector("input[name=sha256]");
    const zone = form.querySelector("[data-drop-zone]");

    form.addEventListener("submit", async (event) => {
      const file = input.files && input.files[0];
      if (!file) return; // the server says what is missing
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      button.textContent = "Working out the fingerprint…";
      fingerprint.value = hex(await window.crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
      input.disabled = true; // a disabled field is not sent: only the fingerprint goes
      form.submit();
    });

    if (zone) {
      zone.addEventListener("dragover", (event) => {
        event.preventDefault();
        zone.classList.add("border-primary");
      });
      zone.addEventListener("dragleave", () => zone.classList.remove("border-primary"));
      zone.addEventListener("drop", (event) => {
        event.preventDefault();
        zone.classList.remove("border-primary");
        if (event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          form.requestSubmit();
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", init);
})();
