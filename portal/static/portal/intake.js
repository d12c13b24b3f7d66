// Staff intake (portal.intake): the estate type-ahead and the "no SMS" note under the phone.
// Without script the form still works: the estate is matched by its exact name on the server.
(function () {
  "use strict";
  const script = document.currentScript;
  const form = document.getElementById("intake-form");
  if (!form || !script) {
    return;
  }
  const estateName = form.querySelector("input[name=estate_name]");
  const estateId = form.querySelector("input[name=estate]");
  const options = document.getElementById("intake-estates");
  const url = script.dataset.estatesUrl;
  const ids = new Map();
  let timer = null;

  function pick() {
    estateId.value = ids.get(estateName.value.trim()) || "";
  }

  async function suggest(typed) {
    const response = await fetch(url + "?q=" + encodeURIComponent(typed), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) {
      return;
    }
    const data = await response.json();
    options.replaceChildren(
      ...data.results.map((estate) => {
        ids.set(estate.label, String(estate.id));
        const option = document.createElement("option");
        option.value = estate.label;
        option.textContent = estate.address;
        return option;
      }),
    );
    pick();
  }

  if (estateName && estateId && options && url) {
    estateName.addEventListener("input", () => {
      pick();
      clearTimeout(timer);
      const typed = estateName.value.trim();
      if (typed) {
        timer = setTimeout(() => suggest(typed), 200);
      }
    });
  }

  // Only a mainland mobile (11 digits from 13-19, +86 allowed) takes an SMS.
  const phone = form.querySelector("input[name=contact_phone]");
  const note = document.getElementById("intake-sms-note");
  const mobile = /^(?:\+?86|0086)?1[3-9]\d{9}$/;
  function explain() {
    const digits = phone.value.replace(/[\s\-()（）]/g, "");
    note.hidden = !digits || mobile.test(digits);
  }
  if (phone && note) {
    phone.addEventListener("input", explain);
    explain();
  }
})();
