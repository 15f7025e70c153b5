// A form marked data-busy="words" says so and shows a progress bar while the server works on it
// (the award runs for up to its time limit), and cannot be sent twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const words = form.dataset.busy;
  if (!words || form.dataset.sent) return;
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
