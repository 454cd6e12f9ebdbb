import "@mantine/core/styles.css";
import "@mantine/charts/styles.css";
import "@mantine/notifications/styles.css";
import "./styles.css";
import {
  type CSSVariablesResolver,
  createTheme,
  defaultVariantColorsResolver,
  MantineProvider,
  Menu,
  Notification,
  type VariantColorsResolver,
} from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { router } from "./app.js";
import { ApiError, auth } from "./lib/api.js";
import { t } from "./lib/i18n.js";

// Shades chosen for WCAG AA contrast (4.5:1) on light and dark backgrounds.
// "light" variants: the palest shade behind shade 9 text keeps 4.5:1 (Mantine's default is a tint of 1).
const variantColorResolver: VariantColorsResolver = (input) => {
  const base = defaultVariantColorsResolver(input);
  if (input.variant !== "light") return base;
  const color = input.color ?? input.theme.primaryColor;
  if (!/^[a-z]+$/.test(color) || !(color in input.theme.colors)) return base;
  // Yellow and orange have no shade dark enough for text on their own tint: use the text colour.
  const text =
    color === "yellow" || color === "orange" ? "var(--mantine-color-dark-7)" : `var(--mantine-color-${color}-9)`;
  // light-dark(): pale tint with dark text in light mode, deep tint with pale text in dark mode.
  return {
    ...base,
    background: `light-dark(var(--mantine-color-${color}-0), color-mix(in srgb, var(--mantine-color-${color}-9) 45%, var(--mantine-color-dark-7)))`,
    hover: `light-dark(color-mix(in srgb, var(--mantine-color-${color}-0) 70%, var(--mantine-color-${color}-1)), color-mix(in srgb, var(--mantine-color-${color}-9) 60%, var(--mantine-color-dark-7)))`,
    color: `light-dark(${text}, var(--mantine-color-${color}-1))`,
  };
};

const theme = createTheme({
  variantColorResolver,
  primaryColor: "teal",
  primaryShade: { light: 9, dark: 9 },
  defaultRadius: "md",
  fontFamily: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
  components: {
    // An open menu focuses its first item; Mantine's focus placeholder (a presentational element
    // with a tabindex inside role="menu") is what axe flags as a menu with a child it cannot hold.
    Menu: Menu.extend({ defaultProps: { withInitialFocusPlaceholder: false } }),
    // A notice's text under its title: Mantine's gray 6 is 3.3:1 on white; dimmed (gray 7) is 8:1.
    // Its close button has no name of its own.
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { "aria-label": t("common.close") } },
      styles: { description: { color: "var(--mantine-color-dimmed)" } },
    }),
  },
});
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  // A field's error message: Mantine's red 6 is 3.3:1 on white.
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-error": "var(--mantine-color-red-9)",
  },
  dark: { "--mantine-color-dimmed": "var(--mantine-color-dark-1)" },
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
    },
  },
});
// A token the server no longer accepts sends the person back to sign in.
queryClient.getQueryCache().subscribe((e) => {
  const err = e.query.state.error;
  if (err instanceof ApiError && err.status === 401) {
    auth.signOut();
    void router.navigate({ to: "/sign-in" });
  }
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto" cssVariablesResolver={cssVariablesResolver}>
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
