// "These answers may help" on the complaint form (portal.site.faq): as the citizen types the
// description, up to three questions and answers are listed in a polite live region. Without
// script, or when the look-up fails, the region stays empty and the form works as before.
(function () {
  "use strict";
  const script = document.currentScript;
  const region = document.getElementById("faq-suggestions");
  const description = document.querySelector("textarea[name=description]");
  if (!script || !region || !description || !script.dataset.url) {
    return;
  }
  const url = script.dataset.url;
  let timer = null;
  let asked = "";

  function show(results) {
    if (!results.length) {
      region.replaceChildren();
      return;
    }
    const heading = document.createElement("p");
    heading.className = "faq-suggestions__heading";
    heading.textContent = region.dataset.heading;
    const list = document.createElement("ul");
    for (const result of results) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = result.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = result.title;
      const hint = document.createElement("span");
      hint.className = "visually-hidden";
      hint.textContent = " (" + region.dataset.newTab + ")";
      link.append(hint);
      item.append(link);
      list.append(item);
    }
    const note = document.createElement("p");
    note.className = "help";
    note.textContent = region.dataset.note;
    region.replaceChildren(heading, list, note);
  }

  async function look_up(typed) {
    try {
      const response = await fetch(url + "?q=" + encodeURIComponent(typed), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok && typed === asked) {
        show((await response.json()).results || []);
      }
    } catch (error) {
      // Offline or refused: the suggestions are a help, never a step of filing.
    }
  }

  description.addEventListener("input", () => {
    clearTimeout(timer);
    const typed = description.value.trim().slice(0, 500);
    if (typed.length < 2) {
      asked = "";
      region.replaceChildren();
      return;
    }
    timer = setTimeout(() => {
      if (typed !== asked) {
        asked = typed;
        look_up(typed);
      }
    }, 600);
  });
})();
