/**
 * The HTTP call every service's route tests make: a request as a user named by the dev identity
 * header, JSON in and out, with the raw text kept for the tests that check what was sent.
 */

export type Json = Record<string, unknown> & { id: string; version: number };

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: Json;
}

export type DevUserCall = (
  user: string,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<ApiResponse>;

/** A `DevUserCall` against the service listening at `base`. */
export function devUserCall(base: string): DevUserCall {
  return async (user, method, path, body, headers = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        "x-dev-user": user,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: (text ? JSON.parse(text) : undefined) as Json };
  };
}
