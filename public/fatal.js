// No silent death: when the WebAssembly module traps (memory exhausted, or an internal error that aborts),
// the animation stops and nothing else would tell the learner. This script, loaded before the module,
// shows what happened, where the run was, which controls were at their maximum, and a link that reloads
// the run (the address bar holds the run's link). It writes text only (no markup from data).
(() => {
  let shown = false;
  const fatal = (error) => {
    const text = String(error && (error.message || error)) || 'unknown error';
    const trap = (typeof WebAssembly !== 'undefined' && error instanceof WebAssembly.RuntimeError)
      || /unreachable|out of memory|RuntimeError|memory access out of bounds/i.test(text);
    if (!trap || shown) return;
    shown = true;
    const clock = document.querySelector('[data-testid=clock]')?.textContent ?? '';
    const atMax = [...document.querySelectorAll('input[type=range]')]
      .filter((input) => Number(input.value) >= Number(input.max))
      .map((input) => input.closest('label')?.querySelector('span')?.textContent?.trim() || input.getAttribute('aria-label') || input.dataset.testid)
      .filter(Boolean);
    const box = document.createElement('div');
    box.className = 'ks-fatal';
    box.setAttribute('role', 'alert');
    box.dataset.testid = 'fatal';
    const title = document.createElement('h2');
    title.textContent = 'The simulation stopped';
    const what = document.createElement('p');
    what.textContent = `Its WebAssembly module hit an error it cannot recover from (${text}). `
      + 'Usually this is memory running out: a browser tab gives it at most 4 GiB.';
    const where = document.createElement('p');
    where.textContent = clock ? `It stopped at ${clock.replace(/^\D*/, '')} of simulated time.` : '';
    const cause = document.createElement('p');
    cause.dataset.testid = 'fatal-cause';
    cause.textContent = atMax.length
      ? `At their maximum: ${atMax.join(', ')}. Lower them, or shorten retention.ms, after reloading.`
      : '';
    const reload = document.createElement('a');
    reload.href = location.href;
    reload.dataset.testid = 'fatal-reload';
    reload.textContent = 'Reload this run';
    reload.addEventListener('click', (event) => { event.preventDefault(); location.reload(); });
    box.append(title, what, where, cause, reload);
    document.body.append(box);
  };
  window.addEventListener('error', (event) => fatal(event.error ?? event.message), true);
  window.addEventListener('unhandledrejection', (event) => fatal(event.reason));
})();
