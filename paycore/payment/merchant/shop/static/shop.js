// The paycore demo shop's only script. The pages work without it; it adds two conveniences:
// the payment form shows the fields of the chosen method only, and the six steps refresh
// themselves until the gateway's notification has arrived (then the script stops asking).
"use strict";

function showChosenMethod(form) {
  const chosen = form.querySelector('input[name="method"]:checked');
  for (const fieldset of form.querySelectorAll("fieldset[data-method]")) {
    fieldset.hidden = chosen !== null && fieldset.dataset.method !== chosen.value;
  }
}

function followTheSteps(section) {
  let asked = 0;
  async function ask() {
    if (!section.hasAttribute("data-waiting") || asked++ >= 30) return;
    try {
      const response = await fetch(section.dataset.source, { credentials: "same-origin" });
      if (response.ok) {
        section.innerHTML = await response.text();
        if (response.headers.get("X-Steps-Waiting") !== "1") section.removeAttribute("data-waiting");
      }
    } catch (error) {
      // the merchant is restarting, say: try again on the next tick
    }
    window.setTimeout(ask, 1000);
  }
  window.setTimeout(ask, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector(".pay-form");
  if (form) {
    showChosenMethod(form);
    form.addEventListener("change", () => showChosenMethod(form));
  }
  const steps = document.getElementById("steps");
  if (steps) followTheSteps(steps);
  const refusal = document.getElementById("refusal");
  if (refusal) refusal.focus();
});
