import { Type } from "typebox";
import { createTxtLookup } from "../../domains/dns-check.js";
import { addDomain, deleteDomain, getDomain, listDomains, verifyDomain } from "../../domains/domain-store.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { ErrorBody, errorResponses, IdParams, Nullable, StringEnum } from "../schemas.js";

const Record = Type.Object({
  type: Type.Literal("TXT"),
  name: Type.String({ description: "Where to publish it" }),
  value: Type.String({ description: "What to publish" }),
  status: StringEnum(["ok", "missing", "wrong"] as const),
  purpose: StringEnum(["dkim", "spf", "dmarc"] as const),
  required: Type.Boolean({ description: "Only the DKIM record is required; SPF and DMARC are advice" }),
  found: Type.Array(Type.String(), { description: "What DNS holds instead, when wrong" }),
});

const Domain = Type.Object({
  id: Type.String(),
  domain: Type.String(),
  selector: Type.String(),
  status: StringEnum(["pending", "verified", "failed"] as const, {
    description: "verified: the DKIM record is published; mail From the domain is signed with its key",
  }),
  records: Type.Array(Record),
  verifiedAt: Nullable(Type.String()),
  checkedAt: Nullable(Type.String()),
  createdAt: Type.String(),
});

/**
 * `/v1/domains`: a tenant's sending domains (docs/sending-domains.md). Any tenant key reads;
 * administrators add, verify and remove.
 */
export function registerDomainRoutes(app: App, { database, clock, config, dnsLookup }: AppDeps): void {
  const lookup = dnsLookup ?? createTxtLookup(config.dnsServers);
  const settings = { secretKey: config.secretKey, operatorDomain: config.senderDomain, spfInclude: config.spfInclude };
  const admin = { access: { auth: "tenant", roles: ["administrator"] } } as const;

  app.post(
    "/v1/domains",
    {
      config: admin,
      schema: {
        tags: ["domains"],
        summary: "Add a sending domain: Postbag makes its DKIM key and answers the records to publish",
        body: Type.Object({ domain: Type.String({ minLength: 1, maxLength: 253 }) }, { additionalProperties: false }),
        response: { 201: Domain, 409: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const added = await addDomain(
        database.db,
        settings,
        tenantOf(request).tenantId,
        request.body.domain,
        clock.now(),
      );
      return reply.code(201).send(added);
    },
  );

  app.get(
    "/v1/domains",
    {
      schema: {
        tags: ["domains"],
        summary: "The tenant's sending domains with their records as last checked",
        response: { 200: Type.Object({ items: Type.Array(Domain) }), ...errorResponses },
      },
    },
    async (request) => ({ items: await listDomains(database.db, tenantOf(request).tenantId) }),
  );

  app.get(
    "/v1/domains/:id",
    {
      schema: {
        tags: ["domains"],
        summary: "One sending domain",
        params: IdParams,
        response: { 200: Domain, ...errorResponses },
      },
    },
    async (request) => getDomain(database.db, tenantOf(request).tenantId, request.params.id),
  );

  app.post(
    "/v1/domains/:id/verify",
    {
      config: admin,
      schema: {
        tags: ["domains"],
        summary: "Check the domain's records in DNS now, record by record",
        description:
          "verified when the DKIM record is ok. 409 domain_taken when another tenant has the domain verified; " +
          "503 when DNS does not answer.",
        params: IdParams,
        response: { 200: Domain, 409: ErrorBody, 503: ErrorBody, ...errorResponses },
      },
    },
    async (request) =>
      verifyDomain(database.db, lookup, settings, tenantOf(request).tenantId, request.params.id, clock.now()),
  );

  app.delete(
    "/v1/domains/:id",
    {
      config: admin,
      schema: {
        tags: ["domains"],
        summary: "Remove a sending domain and its key; its mail goes From the operator's domain again",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await deleteDomain(database.db, tenantOf(request).tenantId, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
