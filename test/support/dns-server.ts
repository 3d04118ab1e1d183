import { Resolver } from "node:dns/promises";
import dns2 from "dns2";

/**
 * A real authoritative DNS server on loopback (dns2, over UDP: it sends whole answers, so TCP is never needed) serving the TXT records a test
 * sets: names it does not hold answer NXDOMAIN, as a real zone does. Point Postbag at it with
 * `POSTBAG_DNS_SERVERS=<server.address>`, and mailauth with `resolver`.
 */
export interface TestDnsServer {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** Sets (replaces) the TXT records at `name`. */
  setTxt(name: string, records: readonly string[]): void;
  /** Removes every record at `name`. */
  remove(name: string): void;
  /** A `dns.resolve`-shaped resolver asking this server, for mailauth. */
  resolver(): (name: string, type: string) => Promise<unknown>;
  close(): Promise<void>;
}

const { Packet } = dns2;
const NXDOMAIN = 3;

/** A TXT string longer than 255 bytes goes out as several character-strings (RFC 1035 3.3.14). */
function chunks(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i += 255) out.push(value.slice(i, i + 255));
  return out.length > 0 ? out : [""];
}

export async function startTestDnsServer(): Promise<TestDnsServer> {
  const zone = new Map<string, readonly string[]>();
  const key = (name: string) => name.toLowerCase().replace(/\.$/, "");
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const records = question ? zone.get(key(question.name)) : undefined;
      if (!question || !records) {
        response.header.rcode = NXDOMAIN;
      } else if (question.type === Packet.TYPE.TXT) {
        for (const data of records) {
          response.answers.push({
            name: question.name,
            type: Packet.TYPE.TXT,
            class: Packet.CLASS.IN,
            ttl: 1,
            data: chunks(data),
          } as unknown as (typeof response.answers)[number]);
        }
      }
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  const port = addresses.udp?.port;
  if (!port) throw new Error("the test DNS server did not bind a UDP port");
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return {
    address: `127.0.0.1:${port}`,
    setTxt: (name, records) => zone.set(key(name), [...records]),
    remove: (name) => zone.delete(key(name)),
    resolver: () => (name: string, type: string) => resolver.resolve(name, type),
    close: () => server.close(),
  };
}
