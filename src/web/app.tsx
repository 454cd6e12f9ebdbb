/**
 * The app shell and routes: navigation, the period switcher, sign-in guard, live updates.
 */
import {
  ActionIcon,
  Anchor,
  AppShell,
  Burger,
  Group,
  NavLink,
  Select,
  Text,
  Title,
  useMantineColorScheme,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import {
  IconActivityHeartbeat,
  IconBinaryTree,
  IconCalendar,
  IconChartPie,
  IconClockPlay,
  IconFileImport,
  IconFlag,
  IconHistory,
  IconHome,
  IconLogout,
  IconMoon,
  IconPlant2,
  IconSettings,
  IconShieldLock,
  IconSun,
  IconTable,
  IconTrash,
  IconUserCircle,
  IconUsers,
  IconWebhook,
} from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import {
  createRootRoute,
  createRoute,
  createRouter,
  Link,
  lazyRouteComponent,
  Outlet,
  redirect,
  useNavigate,
  useRouterState,
  useSearch,
} from "@tanstack/react-router";
import { useEffect } from "react";
import { NotFound } from "./components/not-found.js";
import { NotificationBell } from "./features/notifications/notification-bell.js";
import { auth } from "./lib/api.js";
import { applyTerminology, type Terminology, t } from "./lib/i18n.js";
import { connectLive } from "./lib/live.js";
import { mayAdminister } from "./lib/permissions.js";
import { pickPeriod, useMe, usePeriods, useSettings } from "./lib/queries.js";
import { HomePage } from "./routes/home-page.js";
import { ForgotPasswordPage, SetPasswordPage, SignInPage } from "./routes/sign-in-page.js";

/** Search params every page shares: the period shown. */
export interface PeriodSearch {
  period?: string;
}
const validatePeriodSearch = (s: Record<string, unknown>): PeriodSearch =>
  typeof s.period === "string" ? { period: s.period } : {};

/** The period the URL names, or the current one. */
export function useCurrentPeriod() {
  const search = useSearch({ strict: false }) as PeriodSearch;
  const periods = usePeriods();
  return { periods, period: pickPeriod(periods.data?.items, search.period, new Date().toISOString().slice(0, 10)) };
}

/**
 * Shows `periodId` (an objective's or key result's own period) in the header's switcher: the
 * address takes it in place of the current entry, so the nav links then open that period too.
 */
export function useShowPeriod(periodId: string | undefined) {
  const search = useSearch({ strict: false }) as PeriodSearch;
  const navigate = useNavigate();
  useEffect(() => {
    if (!periodId || search.period === periodId) return;
    void navigate({ to: ".", search: (prev: PeriodSearch) => ({ ...prev, period: periodId }), replace: true } as never);
  }, [periodId, search.period, navigate]);
}

function PeriodSwitcher() {
  const { periods, period } = useCurrentPeriod();
  const navigate = useNavigate();
  return (
    <Select
      aria-label={t("nav.period")}
      // While the periods load, say so: an empty "Period" reads as if there were none.
      placeholder={periods.isPending ? t("common.loading") : t("nav.period")}
      disabled={periods.isPending}
      data={(periods.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
      value={period?.id ?? null}
      onChange={(id) =>
        id && void navigate({ to: ".", search: (prev: PeriodSearch) => ({ ...prev, period: id }) } as never)
      }
      allowDeselect={false}
      // Narrower on a phone, so the header's switcher, bell and theme button stay on one line.
      w={{ base: 120, xs: 160 }}
      size="sm"
    />
  );
}

/**
 * Whether the organisation's words leave every string as the defaults have it (what the page is
 * drawn with before the settings arrive): the same words, the first letter in either case.
 */
function defaultWords(terms: Terminology | undefined): boolean {
  if (!terms) return true;
  const same = (word: string, def: string) =>
    word.charAt(0).toLowerCase() === def.charAt(0) && word.slice(1) === def.slice(1);
  return (
    same(terms.objective, "objective") && same(terms.keyResult, "key result") && same(terms.initiative, "initiative")
  );
}

function Layout() {
  const [opened, { toggle, close }] = useDisclosure();
  const { colorScheme, toggleColorScheme } = useMantineColorScheme();
  const queryClient = useQueryClient();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const search = useSearch({ strict: false }) as PeriodSearch;
  const navigate = useNavigate();
  useEffect(() => connectLive(queryClient), [queryClient]);
  const settings = useSettings();
  const terms = settings.data?.terminology;
  const termsKey = terms ? `${terms.objective}|${terms.keyResult}|${terms.initiative}` : "";
  // The page is drawn anew when the organisation's words differ from the defaults it was first
  // drawn with; not when the settings merely arrive, which would throw away what someone already
  // typed (a search, a form) on a page opened a moment before.
  const mainKey = defaultWords(terms) ? "" : termsKey;
  // The organisation's own words for objectives, key results and initiatives, everywhere.
  applyTerminology(terms);
  // Close the mobile menu after each navigation.
  // biome-ignore lint/correctness/useExhaustiveDependencies: pathname is the trigger, not an input
  useEffect(() => close(), [pathname, close]);
  const nav = [
    { to: "/", label: t("nav.home"), icon: IconHome },
    { to: "/dashboard", label: t("nav.dashboard"), icon: IconChartPie },
    { to: "/explorer", label: t("nav.explorer"), icon: IconTable },
    { to: "/map", label: t("nav.map"), icon: IconBinaryTree },
    { to: "/people", label: t("nav.people"), icon: IconUsers },
    { to: "/kpis", label: t("nav.kpis"), icon: IconActivityHeartbeat },
    { to: "/periods", label: t("nav.periods"), icon: IconCalendar },
    { to: "/close", label: t("nav.periodClose"), icon: IconFlag },
    { to: "/settings", label: t("nav.settings"), icon: IconSettings },
    { to: "/profile", label: t("nav.profile"), icon: IconUserCircle },
  ] as const;
  const adminNav = [
    { to: "/admin/audit", label: t("nav.audit"), icon: IconHistory },
    { to: "/admin/trash", label: t("nav.trash"), icon: IconTrash },
    { to: "/admin/jobs", label: t("nav.jobs"), icon: IconClockPlay },
    { to: "/admin/security", label: t("nav.security"), icon: IconShieldLock },
    { to: "/admin/webhooks", label: t("nav.webhooks"), icon: IconWebhook },
    { to: "/admin/import", label: t("nav.import"), icon: IconFileImport },
  ] as const;
  const me = useMe();
  const isAdmin = mayAdminister(me.data);
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Anchor href="#main" className="skip-link">
              {t("app.skip")}
            </Anchor>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Group gap={6}>
              <IconPlant2 size={26} color="var(--mantine-color-teal-6)" aria-hidden />
              <Title order={1} size="h3" c="teal.7">
                {t("app.name")}
              </Title>
            </Group>
          </Group>
          <Group gap={8}>
            <PeriodSwitcher />
            <NotificationBell />
            <ActionIcon variant="default" size="lg" onClick={toggleColorScheme} aria-label={t("nav.theme")}>
              {colorScheme === "dark" ? <IconSun size={18} /> : <IconMoon size={18} />}
            </ActionIcon>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main">
        <nav>
          {nav.map((n) => (
            <NavLink
              key={n.to}
              component={Link}
              to={n.to}
              search={(search.period ? { period: search.period } : {}) as never}
              label={n.label}
              leftSection={<n.icon size={18} />}
              variant="light"
              active={n.to === "/" ? pathname === "/" : pathname.startsWith(n.to)}
            />
          ))}
          {isAdmin && (
            <>
              <Text size="xs" c="dimmed" fw={600} tt="uppercase" mt="md" mb={4} px="sm">
                {t("nav.admin")}
              </Text>
              {adminNav.map((n) => (
                <NavLink
                  key={n.to}
                  component={Link}
                  to={n.to}
                  label={n.label}
                  leftSection={<n.icon size={18} />}
                  variant="light"
                  active={pathname.startsWith(n.to)}
                />
              ))}
            </>
          )}
          <NavLink
            component="button"
            label={t("nav.signOut")}
            leftSection={<IconLogout size={18} />}
            onClick={async () => {
              await auth.signOut();
              queryClient.clear();
              void navigate({ to: "/sign-in" });
            }}
          />
          <Text size="xs" c="dimmed" mt="md" px="sm">
            <Anchor href="/api/docs" size="xs">
              {t("nav.api")}
            </Anchor>
          </Text>
        </nav>
      </AppShell.Navbar>
      <AppShell.Main id="main" key={mainKey}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

const rootRoute = createRootRoute({ component: Outlet });
const signInRoute = createRoute({ getParentRoute: () => rootRoute, path: "/sign-in", component: SignInPage });
const forgotRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/forgot-password",
  component: ForgotPasswordPage,
});
const resetRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/reset-password",
  component: () => <SetPasswordPage purpose="reset" />,
});
const inviteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/accept-invitation",
  component: () => <SetPasswordPage purpose="invite" />,
});
/** An email's one-click unsubscribe link: no sign-in, the token is the proof. */
const unsubscribeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/unsubscribe",
  component: lazyRouteComponent(() => import("./routes/unsubscribe-page.js"), "UnsubscribePage"),
  validateSearch: (s: Record<string, unknown>) => (typeof s.token === "string" ? { token: s.token } : {}),
});
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  component: Layout,
  beforeLoad: async ({ location }) => {
    if (!(await auth.me())) throw redirect({ to: "/sign-in", search: { next: location.href } as never });
  },
});
const homeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/",
  component: HomePage,
  // `due=1`: a reminder's link to my due check-ins.
  validateSearch: (s: Record<string, unknown>) => ({
    ...validatePeriodSearch(s),
    ...(s.due === 1 || s.due === "1" || s.due === true ? { due: 1 as const } : {}),
  }),
});
const explorerRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/explorer",
  component: lazyRouteComponent(() => import("./routes/explorer-page.js"), "ExplorerPage"),
  validateSearch: (s: Record<string, unknown>) => ({
    ...validatePeriodSearch(s),
    ...(typeof s.q === "string" ? { q: s.q } : {}),
    ...(typeof s.status === "string" ? { status: s.status } : {}),
    ...(typeof s.level === "string" ? { level: s.level } : {}),
    ...(typeof s.team === "string" ? { team: s.team } : {}),
    ...(typeof s.owner === "string" ? { owner: s.owner } : {}),
    ...(typeof s.progress === "string" ? { progress: s.progress } : {}),
    ...(typeof s.sort === "string" ? { sort: s.sort } : {}),
  }),
});
const dashboardRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/dashboard",
  component: lazyRouteComponent(() => import("./routes/dashboard-page.js"), "DashboardPage"),
  validateSearch: (s: Record<string, unknown>) => ({
    ...validatePeriodSearch(s),
    ...(typeof s.team === "string" ? { team: s.team } : {}),
  }),
});
const settingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings",
  component: lazyRouteComponent(() => import("./routes/settings-page.js"), "SettingsPage"),
  validateSearch: validatePeriodSearch,
});
const peopleRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/people",
  component: lazyRouteComponent(() => import("./routes/people-page.js"), "PeoplePage"),
  validateSearch: validatePeriodSearch,
});
const kpisRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/kpis",
  component: lazyRouteComponent(() => import("./routes/kpis-page.js"), "KpisPage"),
  validateSearch: validatePeriodSearch,
});
const periodCloseRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/close",
  component: lazyRouteComponent(() => import("./routes/period-close-page.js"), "PeriodClosePage"),
  validateSearch: validatePeriodSearch,
});
const periodsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/periods",
  component: lazyRouteComponent(() => import("./routes/periods-page.js"), "PeriodsPage"),
  validateSearch: validatePeriodSearch,
});
const mapRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/map",
  component: lazyRouteComponent(() => import("./routes/map-page.js"), "MapPage"),
  validateSearch: (s: Record<string, unknown>) => ({
    ...validatePeriodSearch(s),
    ...(typeof s.team === "string" ? { team: s.team } : {}),
  }),
});
export const objectiveRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/objectives/$objectiveId",
  component: lazyRouteComponent(() => import("./routes/objective-page.js"), "ObjectivePage"),
  validateSearch: validatePeriodSearch,
});
export const keyResultRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/key-results/$keyResultId",
  component: lazyRouteComponent(() => import("./routes/key-result-page.js"), "KeyResultPage"),
  // `checkIn=1`: a reminder's link opens the check-in form.
  validateSearch: (s: Record<string, unknown>) => ({
    ...validatePeriodSearch(s),
    ...(s.checkIn === 1 || s.checkIn === "1" || s.checkIn === true ? { checkIn: 1 as const } : {}),
  }),
});

const profileRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/profile",
  component: lazyRouteComponent(() => import("./routes/profile-page.js"), "ProfilePage"),
  validateSearch: validatePeriodSearch,
});
const auditRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/admin/audit",
  component: lazyRouteComponent(() => import("./routes/audit-page.js"), "AuditPage"),
  validateSearch: validatePeriodSearch,
});
const trashRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/admin/trash",
  component: lazyRouteComponent(() => import("./routes/trash-page.js"), "TrashPage"),
  validateSearch: validatePeriodSearch,
});
const jobsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/admin/jobs",
  component: lazyRouteComponent(() => import("./routes/jobs-page.js"), "JobsPage"),
  validateSearch: validatePeriodSearch,
});
const securityRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/admin/security",
  component: lazyRouteComponent(() => import("./routes/security-page.js"), "SecurityPage"),
  validateSearch: validatePeriodSearch,
});

const webhooksRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/admin/webhooks",
  component: lazyRouteComponent(() => import("./routes/webhooks-page.js"), "WebhooksPage"),
  validateSearch: validatePeriodSearch,
});

const importRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/admin/import",
  component: lazyRouteComponent(() => import("./routes/import-page.js"), "ImportPage"),
  validateSearch: validatePeriodSearch,
});

/** The quarterly review's slides: the whole window, outside the app's navigation. */
const presentRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/present",
  component: lazyRouteComponent(() => import("./routes/present-page.js"), "PresentPage"),
  beforeLoad: async ({ location }) => {
    if (!(await auth.me())) throw redirect({ to: "/sign-in", search: { next: location.href } as never });
  },
  validateSearch: (s: Record<string, unknown>) => ({
    ...validatePeriodSearch(s),
    ...(typeof s.team === "string" ? { team: s.team } : {}),
  }),
});

const routeTree = rootRoute.addChildren([
  presentRoute,
  signInRoute,
  forgotRoute,
  resetRoute,
  inviteRoute,
  unsubscribeRoute,
  appRoute.addChildren([
    profileRoute,
    auditRoute,
    trashRoute,
    jobsRoute,
    securityRoute,
    webhooksRoute,
    importRoute,
    homeRoute,
    dashboardRoute,
    settingsRoute,
    peopleRoute,
    periodCloseRoute,
    periodsRoute,
    kpisRoute,
    explorerRoute,
    mapRoute,
    objectiveRoute,
    keyResultRoute,
  ]),
]);
export const router = createRouter({
  routeTree,
  defaultPreload: "intent",
  defaultNotFoundComponent: () => <NotFound />,
});

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
