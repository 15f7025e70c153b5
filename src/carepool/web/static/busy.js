// Small page helpers: confirm, busy, and focus on a page's error summary.
// A form marked data-confirm="question" asks first (for a step that cannot be undone), and one marked
// data-busy="words" says so and shows a progress bar while the server works on it (the award runs for up
// to its time limit), and cannot be sent twice.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
}, true);  // capturing: asked before the busy bar below is shown

document.addEventListener("submit", (event) => {
  const form = event.target;
  const words = form.dataset.busy;
  if (!words || form.dataset.sent || event.defaultPrevented) return;
  form.dataset.sent = "yes";
  const button = form.querySelector("button[type=submit], button:not([type])");
  const bar = document.createElement("progress");
  bar.setAttribute("aria-label", words);
  const note = document.createElement("span");
  note.setAttribute("role", "status");
  note.textContent = " " + words;
  form.append(bar, note);
  if (button) setTimeout(() => { button.disabled = true; }, 0);  // after the browser has read the form
});

// A page that says "There is a problem" takes the keyboard and the screen reader there first, so nobody has
// to hunt for why the form came back.
// (Only those: a standing warning such as "Check these figures" must not pull the focus on every visit.)
document.addEventListener("DOMContentLoaded", () => {
  const summary = [...document.querySelectorAll(".error-summary")].find(
    (box) => box.querySelector("h2")?.textContent.trim().startsWith("There is a problem"));
  if (!summary) return;
  summary.setAttribute("tabindex", "-1");
  summary.focus();
});
