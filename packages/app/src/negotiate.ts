interface Range {
  type: string;
  subtype: string;
  q: number;
}

const parseAccept = (accept: string): Range[] =>
  accept.split(',').flatMap((part) => {
    const [range = '', ...params] = part.split(';').map((s) => s.trim());
    const [type, subtype] = range.toLowerCase().split('/');
    if (!type || !subtype) return [];
    const qParam = params.find((p) => /^q=/i.test(p));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    return Number.isFinite(q) ? [{ type, subtype, q }] : [];
  });

/** The q of the most specific range matching a media type: `a/b` beats `a/*` beats `*\/*` (RFC 9110 12.5.1). */
const quality = (ranges: readonly Range[], mediaType: string): number => {
  const [type, subtype] = mediaType.split('/');
  let best: { specificity: number; q: number } | undefined;
  for (const r of ranges) {
    const specificity =
      r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' ? 0 : -1;
    if (specificity >= 0 && (!best || specificity > best.specificity)) best = { specificity, q: r.q };
  }
  return best?.q ?? 0;
};

/**
 * The index of the offered media type the Accept header prefers (ties go to the earlier offer), or undefined
 * when it accepts none. No Accept header accepts anything, so the first offer.
 */
export const negotiate = (accept: string | undefined, offered: readonly string[]): number | undefined => {
  if (!accept?.trim()) return 0;
  const ranges = parseAccept(accept);
  let chosen: { index: number; q: number } | undefined;
  offered.forEach((mediaType, index) => {
    const q = quality(ranges, mediaType);
    if (q > 0 && (!chosen || q > chosen.q)) chosen = { index, q };
  });
  return chosen?.index;
};
