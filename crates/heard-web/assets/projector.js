// The projector view updates itself: it listens to the deliberation's server-sent events and
// swaps in each part of the page the server sends (HTML by element id). Without this script the
// page shows a Refresh link instead. Loaded as a module, so the page needs no inline script.
const root = document.querySelector("[data-projector-events]");
if (root && "EventSource" in window) {
  const live = document.getElementById("projector-live");
  const source = new EventSource(root.dataset.projectorEvents);
  source.addEventListener("parts", (event) => {
    const parts = JSON.parse(event.data);
    for (const [id, html] of Object.entries(parts)) {
      const element = document.getElementById(id);
      if (element) {
        element.innerHTML = html;
      }
    }
    root.dataset.projectorUpdates = String(Number(root.dataset.projectorUpdates || 0) + 1);
  });
  source.addEventListener("open", () => {
    if (live) {
      live.hidden = false;
    }
  });
  source.addEventListener("error", () => {
    // EventSource reconnects by itself; say so until it does.
    if (live) {
      live.hidden = true;
    }
  });
}
