// The theme scripts bind only the first .primary-toggle / .secondary-toggle on the page,
// the header's hidden twin (pydata-sphinx-theme issue 2451). Forward every other one's
// click to it, so that the visible buttons open the site menu and the page contents.
document.addEventListener("DOMContentLoaded", () => {
  for (const name of ["primary-toggle", "secondary-toggle"]) {
    const [bound, ...twins] = document.querySelectorAll("." + name);
    if (!bound) continue;
    for (const twin of twins) {
      twin.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    }
  }
});

// A click or tap on a figure opens it at full size: wrap each image of the article in a
// link to its own file (figures are drawn at the column's width, and may be shown smaller).
const CHINESE = document.documentElement.lang.startsWith("zh");

document.addEventListener("DOMContentLoaded", () => {
  for (const img of document.querySelectorAll(".bd-article img")) {
    if (img.closest("a")) continue;
    const link = document.createElement("a");
    link.href = img.getAttribute("src");
    link.className = "figure-zoom";
    link.setAttribute("aria-label", CHINESE ? "以原尺寸打开插图" : "Open the figure at full size");
    link.target = "_blank";
    img.parentNode.insertBefore(link, img);
    link.appendChild(img);
  }
});

// Accessibility fixes to the theme's markup, found by axe-core (see tests_site):
// - a control's accessible name must contain its visible text (the search field shows
//   "Search Ctrl+K" but is named "Search");
// - the sidebar's expand arrows (<summary> with an icon only) need a name;
// - the reference list is not a list of list items, so it drops the list role.
document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll("button[aria-label], a[aria-label]")) {
    const visible = (el.innerText || "").replace(/\s+/g, " ").trim();
    const name = el.getAttribute("aria-label");
    if (visible && !name.toLowerCase().includes(visible.toLowerCase())) {
      el.setAttribute("aria-label", visible);
    }
  }
  // a folded cell's "Show code cell source" is its own name
  for (const summary of document.querySelectorAll("summary[aria-label]")) {
    if ((summary.innerText || "").trim()) summary.removeAttribute("aria-label");
  }
  // the colour-mode button shows one icon titled "Light", "Dark" or "System Settings"
  //   (the theme leaves the third icon's title, "System Settings", untranslated)
  for (const button of document.querySelectorAll(".theme-switch-button")) {
    if (CHINESE) {
      for (const icon of button.querySelectorAll("i")) {
        for (const name of ["title", "data-bs-original-title"]) {
          if (icon.getAttribute(name) === "System Settings") icon.setAttribute(name, "跟随系统");
        }
      }
    }
    // (the theme may set the English title again after this script: name it too)
    button.setAttribute("aria-label", CHINESE ? "颜色模式：亮色、暗色或跟随系统 (System Settings)"
                                              : "Color mode: Light, Dark or System Settings");
  }
  for (const summary of document.querySelectorAll(".bd-sidenav summary")) {
    if ((summary.innerText || "").trim()) continue;
    const link = summary.parentElement.parentElement.querySelector(":scope > a");
    const title = link ? link.innerText.replace(/\s+/g, " ").trim() : "";
    summary.setAttribute("aria-label", CHINESE ? `展开或收起“${title}”的各页`
                                               : `Show or hide the pages of ${title}`);
  }
  for (const el of document.querySelectorAll(".citation-list[role], .citation[role]")) {
    el.removeAttribute("role");
  }
});

// The language switch (a header button) opens the same page of the other edition in this
// tab, at the same section: both editions share their anchors.
document.addEventListener("DOMContentLoaded", () => {
  for (const link of document.querySelectorAll("a.btn-language-switch")) {
    link.removeAttribute("target");
    link.setAttribute("hreflang", CHINESE ? "en" : "zh-CN");
    link.setAttribute("lang", CHINESE ? "en" : "zh-CN");
    link.addEventListener("click", () => {
      link.href = link.href.split("#")[0] + window.location.hash;
    });
  }
});
