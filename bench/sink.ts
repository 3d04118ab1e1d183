/**
 * A loopback SMTP sink for benchmarks: accepts every message and discards it. Runs in its own
 * process so its CPU does not count against the process being measured. Prints its port.
 * With a delay argument (ms), it waits that long before answering each DATA, like a relay
 * across a network would.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

const delayMs = Number(process.argv[2] ?? 0);
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["AUTH", "STARTTLS"],
  logger: false,
  onData(stream, _session, callback) {
    stream.on("data", () => {});
    stream.on("end", () => (delayMs > 0 ? setTimeout(callback, delayMs) : callback()));
  },
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
