// The signed-in frame: a header with the school (a switcher for people in several) and the
// person's menu, and a navigation that lists only the screens the person's role may use.
import { AppShell, Burger, Button, Group, Menu, NavLink, Select, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { api, describeError } from "../api/client";
import type { Session } from "../api/types";
import { useAdoptSession, useSignedIn } from "../session";

interface Screen {
  path: string;
  label: string;
  admin: boolean;
}

/** The operator's screens, listed for operator people (before any school's screens). */
export const operatorScreens: readonly Screen[] = [
  { path: "/operator/schools", label: "Schools", admin: false },
  { path: "/operator/credits", label: "Credits", admin: false },
  { path: "/operator/packages", label: "Packages", admin: false },
  { path: "/operator/trusts", label: "Trusts", admin: false },
  { path: "/operator/reports", label: "Reports", admin: false },
  { path: "/operator/health", label: "Health", admin: false },
];

export const screens: readonly Screen[] = [
  { path: "/", label: "Overview", admin: false },
  { path: "/announcements", label: "Announcements", admin: false },
  { path: "/announcements/new", label: "New announcement", admin: false },
  { path: "/messages", label: "Messages", admin: false },
  { path: "/inbox", label: "Inbox", admin: false },
  { path: "/contacts", label: "Contacts", admin: false },
  { path: "/students", label: "Students", admin: false },
  { path: "/configurations", label: "Configurations", admin: true },
  { path: "/email-settings", label: "Email settings", admin: true },
  { path: "/people", label: "People", admin: true },
  { path: "/keys", label: "API keys", admin: true },
  { path: "/suppressions", label: "Suppressions", admin: false },
  { path: "/audit", label: "Audit", admin: true },
];

function TenantSwitcher() {
  const { session } = useSignedIn();
  const adopt = useAdoptSession();
  const navigate = useNavigate();
  const change = useMutation({
    mutationFn: (tenantId: string) => api<Session>("PUT", "/v1/session/tenant", { tenantId }),
    onSuccess: (next) => {
      adopt(next);
      navigate("/");
    },
    onError: (err) => notifications.show({ color: "red", title: "Could not switch", message: describeError(err) }),
  });
  if (session.memberships.length < 2) {
    const only = session.memberships[0];
    return only ? (
      <Text fw={600} truncate>
        {only.tenantName}
      </Text>
    ) : null;
  }
  return (
    <Select
      label="School"
      aria-label="School"
      size="xs"
      w={220}
      allowDeselect={false}
      disabled={change.isPending}
      value={session.activeTenantId}
      data={session.memberships.map((m) => ({ value: m.tenantId, label: m.tenantName }))}
      onChange={(value) => value && value !== session.activeTenantId && change.mutate(value)}
      styles={{ label: { position: "absolute", width: 1, height: 1, overflow: "hidden", clip: "rect(0 0 0 0)" } }}
    />
  );
}

function PersonMenu() {
  const { session } = useSignedIn();
  const adopt = useAdoptSession();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: (everywhere: boolean) => api<void>("DELETE", everywhere ? "/v1/sessions" : "/v1/session"),
    onSuccess: () => {
      adopt(null);
      navigate("/sign-in", { replace: true });
    },
    onError: (err) => notifications.show({ color: "red", title: "Could not sign out", message: describeError(err) }),
  });
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="subtle"
          size="compact-sm"
          aria-label={`Account: ${session.person.name || session.person.email}`}
        >
          <Text size="sm" truncate maw={160}>
            {session.person.name || session.person.email}
          </Text>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{session.person.email}</Menu.Label>
        <Menu.Item onClick={() => signOut.mutate(false)}>Sign out</Menu.Item>
        <Menu.Item onClick={() => signOut.mutate(true)}>Sign out everywhere</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const { session, isAdmin, membership } = useSignedIn();
  const location = useLocation();
  const visible = [
    ...(session.operator ? operatorScreens : []),
    ...(membership ? screens.filter((s) => isAdmin || !s.admin) : []),
  ];
  // The screen whose path is the longest prefix of the location (New announcement, not Announcements).
  const activePath = visible
    .map((s) => s.path)
    .filter((p) => (p === "/" ? location.pathname === "/" : location.pathname.startsWith(p)))
    .sort((a, b) => b.length - a.length)[0];
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Title order={2} size="h4" visibleFrom="xs">
              Postbag
            </Title>
            <TenantSwitcher />
          </Group>
          <PersonMenu />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Screens">
        {visible.map((s) => (
          <NavLink
            key={s.path}
            component={Link}
            to={s.path}
            label={s.label}
            variant="filled"
            active={s.path === activePath}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
