import { describe, expect, it } from "vitest";
import { judgeOpen, movesStatus, PREFETCH_WINDOW_MS, storedUserAgent, USER_AGENT_MAX } from "./opens.js";

const SENT = Date.UTC(2026, 2, 2, 9, 0);
const LATER = SENT + 3_600_000;

describe("judging opens", () => {
  it("calls real mail clients human", () => {
    for (const ua of [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
      "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)",
      "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Thunderbird/125.0",
    ]) {
      expect(judgeOpen(ua, SENT, LATER), ua).toEqual({ automated: false, reason: null });
    }
  });

  it("calls opens within seconds of sending prefetches", () => {
    const ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0.0.0 Safari/537.36";
    expect(judgeOpen(ua, SENT, SENT + 2_000)).toEqual({ automated: true, reason: "prefetch" });
    expect(judgeOpen(ua, SENT, SENT + PREFETCH_WINDOW_MS - 1).reason).toBe("prefetch");
    expect(judgeOpen(ua, SENT, SENT + PREFETCH_WINDOW_MS).automated).toBe(false);
    expect(judgeOpen(ua, null, SENT).automated).toBe(false);
  });

  it("knows proxies and scanners by their user agents", () => {
    const cases: Array<[string | undefined, string]> = [
      ["Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", "image_proxy"],
      [
        "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/107.0.0.0 Safari/537.36 YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html",
        "image_proxy",
      ],
      ["Mozilla/5.0", "proxy"],
      [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/42.0.2311.135 Safari/537.36 Edge/12.246 Mozilla/5.0",
        "scanner",
      ],
      ["Barracuda Sentinel (EE)", "scanner"],
      ["Mozilla/5.0 (compatible; Mimecast URL Protect)", "scanner"],
      ["Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "scanner"],
      ["python-requests/2.31.0", "scanner"],
      ["curl/8.5.0", "scanner"],
      ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0.0.0 Safari/537.36", "scanner"],
      ["", "scanner"],
      [undefined, "scanner"],
    ];
    for (const [ua, reason] of cases)
      expect(judgeOpen(ua, SENT, LATER), String(ua)).toEqual({ automated: true, reason });
  });

  it("lets readers and webmail image proxies move the status, nothing else", () => {
    expect(movesStatus({ automated: false, reason: null })).toBe(true);
    expect(movesStatus({ automated: true, reason: "image_proxy" })).toBe(true);
    for (const reason of ["prefetch", "scanner", "proxy"] as const)
      expect(movesStatus({ automated: true, reason })).toBe(false);
  });

  it("stores user agents without control characters, truncated", () => {
    expect(storedUserAgent(undefined)).toBeNull();
    expect(storedUserAgent("  ")).toBeNull();
    expect(storedUserAgent("a\r\nb\u0000c")).toBe("abc");
    expect(storedUserAgent("x".repeat(5000))).toHaveLength(USER_AGENT_MAX);
  });
});
