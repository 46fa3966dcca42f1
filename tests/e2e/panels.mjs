// Shared by the end-to-end tests and the browser benchmarks (no test hooks here).

const MINUTE = 60_000;

/** Past the first screen, the page's panels open on demand (app/src/ui/panel.rs). A person opens
 * the panel a control sits in before using it, so here a click, typing, a choice or a drop on an
 * element inside a closed panel first clicks that panel's summary (outermost first): a gesture
 * like any other, recorded as one. Waiting for an element waits for it to be in the page (open
 * panel or not) unless the test asks for visibility; isVisible / isHidden still see the truth. */
export function openPanelsFirst(page) {
  const click = page.click.bind(page);
  const waitForSelector = page.waitForSelector.bind(page);
  const reveal = async (selector) => {
    const el = await waitForSelector(selector, { state: 'attached', timeout: 5 * MINUTE }).catch(() => null);
    if (!el) return;
    const summaries = await el.evaluate((node) => {
      const out = [];
      // A panel's own summary opens that panel: only the panels around it need opening.
      let at = node.tagName === 'SUMMARY' ? node.parentElement?.parentElement : node;
      for (let d = at?.closest('details:not([open])'); d; d = d.parentElement?.closest('details:not([open])')) {
        out.unshift(d.querySelector(':scope > summary')?.dataset.testid ?? null);
      }
      return out;
    });
    for (const id of summaries) if (id) await click(`[data-testid="${id}"]`);
  };
  for (const name of ['click', 'fill', 'selectOption', 'check', 'uncheck', 'setInputFiles', 'dispatchEvent', 'type', 'press', 'hover']) {
    const original = page[name].bind(page);
    page[name] = async (selector, ...rest) => { await reveal(selector); return original(selector, ...rest); };
  }
  page.waitForSelector = (selector, options = {}) => waitForSelector(selector, { state: 'attached', ...options });
  return page;
}
