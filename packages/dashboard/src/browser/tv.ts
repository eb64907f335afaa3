/**
 * TV mode (`/?tv=1`), for a wallboard: large type, no controls (the stylesheet hides them under `.tv`), and
 * one section at a time, in rotation every `rotate` seconds (default 20). The KPI strip stays on screen.
 */
/** As the `rotate` page parameter documents it (packages/app/src/routes.ts). */
const DEFAULT_SECONDS = 20;

export const isTv = (params: URLSearchParams): boolean => params.get('tv') === '1';

/** Starts the rotation; My KPIs joins it only when the URL names a user (`&user=ann`). */
export const startTv = (params: URLSearchParams): void => {
  document.documentElement.classList.add('tv');
  const seconds = Math.max(1, Number(params.get('rotate')) || DEFAULT_SECONDS);
  const slides = Array.from(document.querySelectorAll<HTMLElement>('[data-slide]')).filter(
    (s) => s.id !== 'mine-panel' || params.has('user'),
  );
  let next = 0;
  const show = () => {
    slides.forEach((s, i) => {
      s.classList.toggle('on-air', i === next);
    });
    document.documentElement.dataset.onAir = slides[next]?.id ?? '';
    next = (next + 1) % slides.length;
  };
  show();
  window.setInterval(show, seconds * 1000);
};
