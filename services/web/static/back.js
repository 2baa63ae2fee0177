// "Go back" links: the previous page when there is one (a javascript: URL would break the CSP).
"use strict";

for (const link of document.querySelectorAll("[data-back]")) {
  link.addEventListener("click", (event) => {
    if (history.length > 1) {
      event.preventDefault();
      history.back();
    }
  });
}
