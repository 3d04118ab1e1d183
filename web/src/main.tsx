import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import { Alert, type CSSVariablesResolver, createTheme, MantineProvider, Notification } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App";
import { ApiFailure } from "./api/client";
import { creditsQuery, overviewQuery } from "./api/queries";

// Darker shades than Mantine's defaults, so that text meets WCAG AA contrast (axe-core checks it).
const theme = createTheme({
  primaryColor: "indigo",
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: "md",
  // People who ask their system for less motion get none: notifications, menus and modals appear
  // at once instead of sliding or fading in.
  respectReducedMotion: true,
  components: {
    // Alert titles in the alert's colour are too pale on its tinted background (yellow, teal).
    Alert: Alert.extend({ styles: { title: { color: "var(--mantine-color-text)" } } }),
    // A notification's close button is an icon: it needs a name; its text is as dark as the page's.
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { "aria-label": "Close notification" } },
      styles: { description: { color: "var(--mantine-color-text)" } },
    }),
  },
});

const contrast: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": t.colors.gray[7] ?? "#495057",
    // A field's error text (red 6 by default, 3.3:1 on white) must be readable too.
    "--mantine-color-error": t.colors.red[9] ?? "#c92a2a",
  },
  dark: {},
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A 4xx will not get better by asking again.
      retry: (count, err) => !(err instanceof ApiFailure && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

// The Overview is the first screen: ask for its data while the session is being checked, not
// after (an answer for nobody is dropped when the person signs in).
if (window.location.pathname === "/") {
  void queryClient.prefetchQuery(overviewQuery(undefined));
  void queryClient.prefetchQuery(creditsQuery);
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme} cssVariablesResolver={contrast}>
        <Notifications position="top-right" />
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
}
