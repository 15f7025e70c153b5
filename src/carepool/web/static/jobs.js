// A page following a background job (an element with data-job="<its JSON status URL>") moves its progress bar
// and count as the job runs, and reloads once the job has ended, to show what it made or why it failed.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-job]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const count = box.querySelector("[data-job-count]");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.job, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const job = await response.json();
        if (job.status !== "running" || job.stalled) {
          window.location.reload();
          return;
        }
        if (job.total) {
          bar.max = job.total;
          bar.value = job.done;
          count.textContent = `${job.done.toLocaleString("en-GB")} of ${job.total.toLocaleString("en-GB")}`;
        }
      }
    } catch (error) {
      // the server may be busy or restarting: the next poll asks again
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
});
