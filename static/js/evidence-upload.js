// Uploads evidence files one request at a time, each with its own progress bar.
// Without JavaScript the same forms post normally and the server does the same checks.
(() => {
  "use strict";

  const FLOW_HEADER = "X-Upload-Flow";

  function formatSize(bytes) {
    if (bytes < 1024) return `${bytes} bytes`;
    if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  }

  function uploadOne(url, form, file, row) {
    return new Promise((resolve) => {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      data.append("files", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader(FLOW_HEADER, "1");
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) {
          row.progress.value = Math.round((100 * event.loaded) / event.total);
        }
      });
      const finish = (ok, message) => {
        row.progress.value = ok ? 100 : row.progress.value;
        row.status.textContent = message;
        row.item.classList.add(ok ? "text-success" : "text-danger");
        resolve(ok);
      };
      xhr.addEventListener("load", () => {
        let body = {};
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          finish(false, "Not added: the server could not take this file. Try again.");
          return;
        }
        if (body.added && body.added.length) {
          finish(true, "Uploaded.");
        } else if (body.refused && body.refused.length) {
          finish(false, `Not added: ${body.refused[0].message}`);
        } else {
          finish(false, "Not added. Try again.");
        }
      });
      xhr.addEventListener("error", () => finish(false, "Not added: the connection failed. Try again."));
      xhr.send(data);
    });
  }

  function setup(form) {
    const list = form.querySelector("[data-upload-list]");
    const errorBox = form.querySelector("[data-upload-error]");
    const fileInput = form.querySelector("[data-file-input]");
    const cameraInput = form.querySelector("input[name=camera]");
    const zone = form.querySelector("[data-dropzone]");
    const submit = form.querySelector("button[type=submit]");
    let rows = [];

    const chosen = () => [...fileInput.files, ...(cameraInput ? cameraInput.files : [])];

    function render() {
      list.replaceChildren();
      rows = chosen().map((file, index) => {
        const item = document.createElement("li");
        item.className = "mb-2";
        const label = document.createElement("label");
        label.htmlFor = `upload-progress-${index}`;
        label.textContent = `${file.name} (${formatSize(file.size)})`;
        const progress = document.createElement("progress");
        progress.id = `upload-progress-${index}`;
        progress.max = 100;
        progress.value = 0;
        const status = document.createElement("span");
        status.className = "d-block small";
        item.append(label, progress, status);
        list.append(item);
        return { item, progress, status };
      });
    }

    fileInput.addEventListener("change", render);
    if (cameraInput) cameraInput.addEventListener("change", render);

    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("is-dragover");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("is-dragover"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("is-dragover");
      const transfer = new DataTransfer();
      for (const file of [...fileInput.files, ...event.dataTransfer.files]) {
        transfer.items.add(file);
      }
      fileInput.files = transfer.files;
      render();
    });

    form.addEventListener("submit", async (event) => {
      const files = chosen();
      if (!files.length) return; // nothing to upload: let the form post as usual
      event.preventDefault();
      errorBox.classList.add("d-none");
      submit.disabled = true;
      let uploadUrl = form.dataset.uploadUrl;
      let nextUrl = form.dataset.nextUrl;
      if (!uploadUrl) {
        const details = new FormData(form);
        details.delete("files");
        details.delete("camera");
        let response;
        try {
          response = await fetch(form.action || window.location.href, {
            method: "POST",
            body: details,
            headers: { [FLOW_HEADER]: "1" },
            credentials: "same-origin",
          });
        } catch {
          response = null;
        }
        if (!response || !response.ok) {
          // Let the server show its messages on the page the usual way.
          HTMLFormElement.prototype.submit.call(form);
          return;
        }
        ({ upload_url: uploadUrl, next_url: nextUrl } = await response.json());
      }
      render();
      let failures = 0;
      for (const [index, file] of files.entries()) {
        const ok = await uploadOne(uploadUrl, form, file, rows[index]);
        if (!ok) failures += 1;
      }
      if (failures === 0) {
        window.location.assign(nextUrl);
        return;
      }
      errorBox.replaceChildren();
      const text = document.createElement("p");
      text.className = "mb-1";
      text.textContent = `${failures} of ${files.length} file${files.length === 1 ? " was" : "s were"} not added; the reasons are listed above.`;
      const link = document.createElement("a");
      link.href = nextUrl;
      link.textContent = "Continue to the evidence";
      errorBox.append(text, link);
      errorBox.classList.remove("d-none");
      errorBox.focus();
      submit.disabled = false;
    });
  }

  document.querySelectorAll("[data-upload-form]").forEach(setup);
})();
