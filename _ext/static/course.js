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
