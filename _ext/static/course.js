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
document.addEventListener("DOMContentLoaded", () => {
  for (const img of document.querySelectorAll(".bd-article img")) {
    if (img.closest("a")) continue;
    const link = document.createElement("a");
    link.href = img.getAttribute("src");
    link.className = "figure-zoom";
    link.setAttribute("aria-label", "Open the figure at full size");
    link.target = "_blank";
    img.parentNode.insertBefore(link, img);
    link.appendChild(img);
  }
});
