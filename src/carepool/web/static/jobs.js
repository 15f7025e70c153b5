// A page following a background job (an element with data-job="<its JSON status URL>") moves its progress bar
// as the job runs, and reloads once the job has ended, to show what it made or why it failed. A refusal (signed
// out, no longer allowed) reloads the page too, which then says why; a server that does not answer is asked
// again less and less often, and after a while the page says it has lost touch.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-job]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const count = box.querySelector("[data-job-count]");
  let wait = 1000;
  let failures = 0;
  let told = 0;  // when the count was last rewritten: a screen reader reads it out each time
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.job, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.status >= 400 && response.status < 500) {
        window.location.reload();
        return;
      }
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const job = await response.json();
      if (job.status !== "running" || job.stalled) {
        window.location.reload();
        return;
      }
      wait = 1000;
      failures = 0;
      if (job.total) {
        bar.max = job.total;
        bar.value = job.done;
        if (Date.now() - told > 10000 || job.done === job.total) {
          count.textContent = `${job.done.toLocaleString("en-GB")} of ${job.total.toLocaleString("en-GB")}`;
          told = Date.now();
        }
      }
    } catch (error) {
      failures += 1;
      wait = Math.min(wait * 2, 30000);
      if (failures === 5) {
        count.textContent = "no answer from the server for a while: reload this page to see how far it has got";
      }
    }
    setTimeout(poll, wait);
  };
  setTimeout(poll, wait);
});
