// Small live updates: the inbox over Server-Sent Events, counts by polling. The page says
// which, in the script element's data attributes (no inline script: the pages' CSP).
"use strict";

function liveInbox(url) {
  const list = document.getElementById("inbox");
  const source = new EventSource(url);
  source.addEventListener("notification", (event) => {
    const item = JSON.parse(event.data);
    document.getElementById("inbox-empty")?.remove();
    const entry = document.createElement("li");
    entry.className = "unread fresh";
    const subject = document.createElement("strong");
    subject.textContent = item.subject;
    const text = document.createElement("p");
    text.textContent = item.text;
    entry.append(subject, text);
    list.prepend(entry);
  });
}

function liveCounts(url, seconds) {
  async function refresh() {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) {
        const counts = await response.json();
        for (const [name, value] of Object.entries(counts)) {
          const cell = document.querySelector(`[data-count="${name}"]`);
          if (cell) cell.textContent = value;
        }
        document.getElementById("refreshed").textContent = new Date().toLocaleTimeString();
      }
    } finally {
      setTimeout(refresh, seconds * 1000);
    }
  }
  refresh();
}

const live = document.currentScript.dataset;
if (live.inbox) liveInbox(live.inbox);
if (live.counts) liveCounts(live.counts, Number(live.seconds));
