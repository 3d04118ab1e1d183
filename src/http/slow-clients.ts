import type { FastifyInstance } from "fastify";

/** How often, and over how long, a request body's arrival rate is judged. */
export const BODY_RATE_WINDOW_MS = 10_000;

/**
 * Cuts off request bodies that arrive slower than `minBytesPerSecond` over any window of
 * `windowMs` (a slow-body attack holds a connection and a request slot for as long as it likes:
 * one byte every few seconds never trips an idle timeout). Measured on the socket's byte count,
 * without listening to the body (which would start it flowing before its parser is ready). A
 * window in which the route itself is not reading (a streamed audience sync writing rows: the
 * body is paused or has unread data buffered) does not count against the client, so a large
 * legitimate upload is never cut for Postbag's own slowness. Header timeouts are Node's
 * `headersTimeout` (set where the server is made).
 */
export function guardSlowBodies(app: FastifyInstance, minBytesPerSecond: number, windowMs = BODY_RATE_WINDOW_MS): void {
  if (minBytesPerSecond <= 0) return;
  app.addHook("onRequest", async (request) => {
    const raw = request.raw;
    const socket = raw.socket;
    const length = Number(raw.headers["content-length"] ?? Number.NaN);
    const chunked = /chunked/i.test(String(raw.headers["transfer-encoding"] ?? ""));
    // No real socket (an injected test request) or no body to wait for.
    if (typeof socket?.bytesRead !== "number" || raw.complete || (!chunked && !(length > 0))) return;
    let last = socket.bytesRead;
    const timer = setInterval(() => {
      if (raw.complete || socket.destroyed) return clearInterval(timer);
      const now = socket.bytesRead;
      const got = now - last;
      last = now;
      const routeIsReading = raw.readableFlowing !== false && raw.readableLength === 0;
      if (!routeIsReading || got >= (minBytesPerSecond * windowMs) / 1000) return;
      clearInterval(timer);
      request.log.warn(
        { bytes: got, windowMs, minBytesPerSecond },
        "request body arriving too slowly: connection closed",
      );
      socket.destroy();
    }, windowMs);
    timer.unref();
    raw.once("end", () => clearInterval(timer));
    raw.once("close", () => clearInterval(timer));
  });
}
