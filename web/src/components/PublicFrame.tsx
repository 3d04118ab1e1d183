import { Anchor, Center, Paper, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";

/** The frame of the pages a person sees before signing in. */
export function PublicFrame({ title, children, back = true }: { title: string; children: ReactNode; back?: boolean }) {
  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Paper component="main" withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <Stack gap="md">
          <Text fw={700} c="indigo.8">
            Postbag
          </Text>
          <Title order={1} size="h2">
            {title}
          </Title>
          {children}
          {back && (
            <Anchor component={Link} to="/sign-in" size="sm">
              Back to sign in
            </Anchor>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}

/** The token a mailed link carries in its fragment (#token=…), which never reaches a server log. */
export function fragmentToken(): string | undefined {
  return new URLSearchParams(window.location.hash.slice(1)).get("token") ?? undefined;
}

/** Where to go after signing in: the `next` page asked for, if it is one of ours. */
export function nextPath(search: string): string {
  const next = new URLSearchParams(search).get("next");
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}
