// The admin's inline tables scroll sideways inside their box on a narrow screen: each such box can be
// reached with the keyboard and is named after its heading, so it can be scrolled without a mouse
// (WCAG 2.1.1 keyboard; axe's scrollable-region-focusable).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".inline-group").forEach(function (group) {
    var heading = group.querySelector("h2");
    group.setAttribute("tabindex", "0");
    group.setAttribute("role", "region");
    if (heading) group.setAttribute("aria-label", heading.textContent.trim());
  });
});
