// One received message: who sent it, what it answers (the message and the contact), its text in a
// sandboxed frame that loads images from elsewhere only when the reader asks, and its attachments.
import { Alert, Anchor, Badge, Box, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { ApiFailure, client, describeError, ok } from "../api/client";
import type { InboxDetail } from "../api/types";
import { ErrorState, Loading } from "../components/States";
import { formatDateTime, formatNumber } from "../format";
import { useSignedIn } from "../session";
import { statusLabel } from "../statuses";
import { contactPath } from "./Contacts";
import { kindInfo } from "./Inbox";

/** Downloads through fetch, so a refusal (a school that forbids opening attachments) is shown here. */
async function download(id: string, position: number, filename: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`/v1/inbox/${id}/attachments/${position}`, { credentials: "same-origin" });
  } catch {
    throw new ApiFailure(0, "network", "Postbag could not be reached. Check the connection and try again.");
  }
  if (!res.ok) {
    let message = `The server answered ${res.status}.`;
    let code = "http_error";
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      message = body.error?.message ?? message;
      code = body.error?.code ?? code;
    } catch {
      // not JSON
    }
    throw new ApiFailure(res.status, code, message);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function Attachments({ message }: { message: InboxDetail }) {
  const [failure, setFailure] = useState<{ name: string; error: unknown } | undefined>();
  const [busy, setBusy] = useState<number | undefined>();
  if (message.attachments.length === 0) return null;
  return (
    <Card withBorder component="section" aria-labelledby="attachments-title">
      <Title order={2} size="h4" id="attachments-title" mb="xs">
        Attachments
      </Title>
      <Stack gap="xs">
        {message.attachments.map((a) => (
          <Group key={a.position} gap="sm" wrap="nowrap">
            <Button
              size="xs"
              variant="default"
              loading={busy === a.position}
              aria-label={`Download ${a.filename}`}
              onClick={async () => {
                setBusy(a.position);
                setFailure(undefined);
                try {
                  await download(message.id, a.position, a.filename);
                } catch (error) {
                  setFailure({ name: a.filename, error });
                } finally {
                  setBusy(undefined);
                }
              }}
            >
              Download
            </Button>
            <Text size="sm" style={{ overflowWrap: "anywhere" }}>
              {a.filename}{" "}
              <Text span c="dimmed" size="xs">
                {a.contentType}, {formatNumber(Math.max(1, Math.round(a.size / 1024)))} KB
              </Text>
            </Text>
          </Group>
        ))}
      </Stack>
      {failure && (
        <Alert color="red" role="alert" mt="sm" title={`${failure.name} was not downloaded`}>
          {failure.error instanceof ApiFailure && failure.error.status === 403
            ? `Your school does not allow opening received attachments here. ${failure.error.message}`
            : describeError(failure.error)}
        </Alert>
      )}
      <Text size="xs" c="dimmed" mt="xs">
        Attachments come from outside the school: open them only if you expected them.
      </Text>
    </Card>
  );
}

export default function InboxMessage() {
  const { id = "" } = useParams();
  const { timezone } = useSignedIn();
  const [images, setImages] = useState(false);
  const message = useQuery({
    queryKey: ["inbox-message", id],
    queryFn: () => ok(client.GET("/v1/inbox/{id}", { params: { path: { id } } })),
  });
  if (message.isPending) return <Loading />;
  if (message.isError) {
    return (
      <Stack>
        <Title order={1} size="h2">
          Message
        </Title>
        <ErrorState error={message.error} retry={() => message.refetch()} />
        <Anchor component={Link} to="/inbox">
          Back to the inbox
        </Anchor>
      </Stack>
    );
  }
  const m = message.data;
  const sender = m.fromName ? `${m.fromName} <${m.fromAddress ?? ""}>` : (m.fromAddress ?? "(unknown sender)");
  return (
    <Stack gap="md">
      <div>
        <Anchor component={Link} to="/inbox" size="sm">
          Inbox
        </Anchor>
        <Title order={1} size="h2" style={{ overflowWrap: "anywhere" }}>
          {m.subject || "(no subject)"}
        </Title>
        <Group gap="xs" mt={4}>
          <Badge variant="light" color={kindInfo[m.kind]?.color ?? "gray"}>
            {kindInfo[m.kind]?.label ?? m.kind}
          </Badge>
          <Text size="sm" style={{ overflowWrap: "anywhere" }}>
            From {sender}
          </Text>
        </Group>
        <Text size="sm" c="dimmed">
          Sent {formatDateTime(m.sentAt, timezone)} · received {formatDateTime(m.receivedAt, timezone)}
        </Text>
      </div>
      {(m.message || m.contact) && (
        <Card withBorder component="section" aria-labelledby="answers-title">
          <Title order={2} size="h4" id="answers-title" mb="xs">
            What it answers
          </Title>
          {m.message && (
            <Text size="sm">
              Your message “{m.message.subject}” of {formatDateTime(m.message.createdAt, timezone)}
              {m.recipient
                ? ` (to ${m.recipient.email || "a deleted contact"}: ${statusLabel(m.recipient.status)})`
                : ""}
            </Text>
          )}
          {m.contact && (
            <Text size="sm">
              From contact{" "}
              <Anchor component={Link} to={contactPath(m.contact.externalId)}>
                {m.contact.name}
              </Anchor>
            </Text>
          )}
        </Card>
      )}
      <Card withBorder component="section" aria-labelledby="body-title" p={0}>
        <Group justify="space-between" p="sm">
          <Title order={2} size="h4" id="body-title">
            Message
          </Title>
          {m.remoteImages && !images && (
            <Button size="xs" variant="light" onClick={() => setImages(true)}>
              Show images
            </Button>
          )}
        </Group>
        {m.remoteImages && !images && (
          <Text size="xs" c="dimmed" px="sm" pb="xs">
            Images from elsewhere are blocked: loading them can tell the sender that you read this.
          </Text>
        )}
        <Box
          component="iframe"
          key={images ? "with-images" : "blocked"}
          title="Message text"
          src={`/v1/inbox/${encodeURIComponent(m.id)}/body${images ? "?images=true" : ""}`}
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerPolicy="no-referrer"
          style={{ width: "100%", height: "60vh", border: 0, borderTop: "1px solid var(--mantine-color-gray-3)" }}
        />
      </Card>
      <Attachments message={m} />
    </Stack>
  );
}
