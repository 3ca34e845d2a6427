// No silent death: when the WebAssembly module traps (memory exhausted, or an internal error that aborts),
// the animation stops and nothing else would tell the learner. This script, loaded before the module,
// shows what happened, where the run was, which controls were at their maximum, and a link that reloads
// the run (the address bar holds the run's link). It writes text only (no markup from data), in the
// page's language (<html lang>, which the page sets: src/ui/locale.rs).
(() => {
  const WORDS = {
    en: {
      title: 'The simulation stopped',
      what: (text) => `Its WebAssembly module hit an error it cannot recover from (${text}). `
        + 'Usually this is memory running out: a browser tab gives it at most 4 GiB.',
      where: (time) => `It stopped at ${time} of simulated time.`,
      cause: (names) => `At their maximum: ${names}. Lower them, or shorten retention.ms, after reloading.`,
      reload: 'Reload this run',
    },
    'zh-CN': {
      title: '模拟已停止',
      what: (text) => `WebAssembly 模块遇到了无法恢复的错误（${text}）。通常是内存耗尽：浏览器标签页最多只给它 4 GiB。`,
      where: (time) => `停在模拟时间 ${time}。`,
      cause: (names) => `处于最大值的控件：${names}。重新加载后把它们调低，或缩短 retention.ms。`,
      reload: '重新加载这次运行',
    },
  };
  let shown = false;
  const fatal = (error) => {
    const text = String(error && (error.message || error)) || 'unknown error';
    const trap = (typeof WebAssembly !== 'undefined' && error instanceof WebAssembly.RuntimeError)
      || /unreachable|out of memory|RuntimeError|memory access out of bounds/i.test(text);
    if (!trap || shown) return;
    shown = true;
    const words = WORDS[document.documentElement.lang] ?? WORDS.en;
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
    title.textContent = words.title;
    const what = document.createElement('p');
    what.textContent = words.what(text);
    const where = document.createElement('p');
    where.textContent = clock ? words.where(clock.replace(/^\D*/, '')) : '';
    const cause = document.createElement('p');
    cause.dataset.testid = 'fatal-cause';
    cause.textContent = atMax.length
      ? words.cause(atMax.join(', '))
      : '';
    const reload = document.createElement('a');
    reload.href = location.href;
    reload.dataset.testid = 'fatal-reload';
    reload.textContent = words.reload;
    reload.addEventListener('click', (event) => { event.preventDefault(); location.reload(); });
    box.append(title, what, where, cause, reload);
    document.body.append(box);
  };
  window.addEventListener('error', (event) => fatal(event.error ?? event.message), true);
  window.addEventListener('unhandledrejection', (event) => fatal(event.reason));
})();
