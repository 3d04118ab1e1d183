import { Type } from "typebox";
import { OPEN_PURPOSE, readLink } from "../../tracking/links.js";
import { recordOpen } from "../../tracking/opens.js";
import type { App, AppDeps } from "../route-context.js";

/** A 1x1 transparent GIF (43 bytes). */
export const TRANSPARENT_GIF = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

/**
 * `GET /o/<token>.gif`: the open pixel. Always the same image, whatever the token, so the answer
 * tells nobody whether a token is good; no cache may keep it, so each view can reach us (Gmail's
 * proxy caches anyway). The open is recorded only for a valid token of a tenant that tracks
 * opens. The client's IP address is never read.
 */
export function registerOpenPixelRoute(app: App, { database, clock, config }: AppDeps): void {
  app.get(
    // A wildcard rather than a parameter: the router answers 414 for parameters over its length
    // limit, and the pixel must be an image whatever the URL.
    "/o/*",
    {
      config: { access: { auth: "none" } },
      schema: { hide: true, params: Type.Object({ "*": Type.String() }) },
    },
    async (request, reply) => {
      const file = request.params["*"];
      // HEAD (link checkers) shows nothing to anyone: not an open.
      if (request.method === "GET" && file.endsWith(".gif")) {
        const link = readLink(config.secretKey, file.slice(0, -4), OPEN_PURPOSE, clock.now());
        if (link.ok) {
          const userAgent = request.headers["user-agent"];
          try {
            await recordOpen(database, {
              tenantId: link.tenantId,
              recipientId: link.recipientId,
              userAgent: typeof userAgent === "string" ? userAgent : undefined,
              at: clock.now(),
            });
          } catch (err) {
            // The image is still served: the reader's mail client must not show a broken image.
            request.log.error({ err }, "recording an open failed");
          }
        }
      }
      return reply
        .code(200)
        .header("cache-control", "no-store, no-cache, must-revalidate, private, max-age=0")
        .header("pragma", "no-cache")
        .header("expires", "0")
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .header("x-robots-tag", "noindex, nofollow")
        .type("image/gif")
        .send(TRANSPARENT_GIF);
    },
  );
}
