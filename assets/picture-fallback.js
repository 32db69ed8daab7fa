// A product picture that fails to load is removed, so its card shows the placeholder beneath
// it. A file of this site rather than an inline `onerror`: the pages' Content-Security-Policy
// runs no inline handlers. Loaded in <head>, before the cards, so no failure is missed.
document.addEventListener(
  "error",
  (event) => {
    const target = event.target;
    if (target instanceof HTMLImageElement && target.closest(".thumb")) target.remove();
  },
  true,
);
