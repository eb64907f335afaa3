import { type HttpEvent, type HttpResult, header } from './http.js';

// Authorization is never covered by a wildcard, so it is listed; If-None-Match lets pollers revalidate.
const ALLOWED_HEADERS = 'Authorization, If-None-Match, Accept, Content-Type';

/**
 * CORS headers for a request from `origin`, given the allowed origins (`*` for any). A specific list makes
 * the answer depend on Origin, so caches are told to vary on it even when this request was not allowed.
 */
export const corsHeaders = (origin: string | undefined, allowed: readonly string[]): Record<string, string> => {
  if (allowed.length === 0) return {};
  if (allowed.includes('*'))
    return origin ? { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'ETag' } : {};
  if (origin && allowed.includes(origin))
    return { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'ETag', vary: 'Origin' };
  return { vary: 'Origin' };
};

/** The answer to OPTIONS: a CORS preflight grant when the origin is allowed, else just the allowed methods. */
export const preflight = (event: HttpEvent, allowed: readonly string[], methods = 'GET, OPTIONS'): HttpResult => {
  const cors = corsHeaders(header(event, 'origin'), allowed);
  const granted = 'access-control-allow-origin' in cors;
  return {
    statusCode: 204,
    headers: {
      ...cors,
      allow: methods,
      ...(granted
        ? {
            'access-control-allow-methods': methods,
            'access-control-allow-headers': ALLOWED_HEADERS,
            'access-control-max-age': '600',
          }
        : {}),
    },
  };
};

/** `CORS_ORIGINS`: comma-separated origins (`https://a.example,https://b.example`) or `*`. */
export const corsOriginsFromEnv = (env: NodeJS.ProcessEnv = process.env): string[] => {
  const origins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {}
    if (parsed?.origin !== origin)
      throw new Error(`CORS_ORIGINS: "${origin}" is not an origin like https://dash.example.com (no path, no slash)`);
  }
  return origins;
};
