// Importing sources: shows how much of the file has been sent, as XMLHttpRequest's upload
// progress reports it, then that Heard is checking and importing. The answer (a report page)
// replaces the page as a normal form post would. Without this script the plain form posts as usual.
for (const form of document.querySelectorAll("form[data-heard-import]")) {
  const region = form.querySelector("[data-heard-import-progress]");
  const bar = form.querySelector("progress");
  const status = form.querySelector("[data-heard-import-status]");
  const button = form.querySelector("button[type=submit]");
  if (!region || !bar || !status || !window.XMLHttpRequest || !window.FormData) continue;
  form.addEventListener("submit", (event) => {
    const file = form.querySelector("input[type=file]");
    if (!file || file.files.length === 0) return; // Let the server say what is missing.
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      const percent = Math.floor((progress.loaded / progress.total) * 100);
      bar.value = percent;
      status.textContent = `Uploading: ${percent}% sent`;
    });
    request.upload.addEventListener("load", () => {
      bar.value = 100;
      status.textContent = "Uploaded. Checking and importing the rows: this can take a minute for a large file.";
    });
    request.addEventListener("load", () => {
      // The report page, as the server sent it.
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", () => {
      region.hidden = true;
      if (button) button.disabled = false;
      // Falls back to the plain form post, which shows the browser's own error if it fails again.
      form.submit();
    });
    region.hidden = false;
    bar.value = 0;
    status.textContent = "Uploading: 0% sent";
    if (button) button.disabled = true;
    request.send(new FormData(form));
  });
}
