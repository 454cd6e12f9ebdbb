/**
 * Every user-facing string goes through `t` (i18next). English first; a language is one
 * more resource object.
 */
import i18next from "i18next";

const en = {
  app: { name: "Okra", skip: "Skip to content" },
  nav: {
    home: "My OKRs",
    explorer: "Explorer",
    map: "Alignment map",
    period: "Period",
    signOut: "Sign out",
    theme: "Switch light or dark theme",
    api: "API reference",
  },
  signIn: {
    title: "Sign in to Okra",
    intro:
      "Paste your API token. The server printed the admin's token on its first start; `npx okra token create --email you@example.com` issues another.",
    token: "API token",
    submit: "Sign in",
    invalid: "This token was not accepted: {{message}}",
  },
  status: { notStarted: "Not started", onTrack: "On track", behind: "Behind", atRisk: "At risk", closed: "Closed" },
  level: { organization: "Organisation", team: "Team", individual: "Individual" },
  common: {
    loading: "Loading…",
    error: "Something went wrong",
    retry: "Try again",
    empty: "Nothing here yet.",
    progress: "Progress",
    expected: "Expected by now: {{value}}",
    forecast: "Forecast",
    owners: "Owners",
    noOwner: "No owner",
    status: "Status",
    title: "Title",
    level: "Level",
    team: "Team",
    period: "Period",
    cancel: "Cancel",
    save: "Save",
    close: "Close",
    lastCheckIn: "Last check-in",
    never: "never",
    weight: "Weight",
  },
  home: {
    title: "My OKRs",
    subtitle: "{{name}} · {{period}}",
    due: "Due a check-in",
    dueNone: "All your key results are up to date.",
    mine: "My objectives",
    none: "You own no objectives in this period.",
    checkIn: "Check in",
  },
  objective: {
    keyResults: "Key results",
    parents: "Aligned to",
    children: "Contributing",
    initiatives: "Initiatives",
    history: "Activity",
    closed: "Closed with score {{score}}",
    committed: "Committed",
    aspirational: "Aspirational",
    noParents: "Not aligned to anything.",
    noChildren: "Nothing aligns to this yet.",
  },
  keyResult: {
    chart: "Value over time",
    value: "Value",
    planned: "Expected",
    checkIns: "Check-ins",
    noCheckIns: "No check-ins yet.",
    from: "from {{start}} to {{target}}",
    rollup: "Rolls up from aligned items ({{method}})",
  },
  checkIn: {
    title: "Check in: {{title}}",
    value: "New value",
    achieved: "Achieved",
    status: "Status",
    statusAuto: "Automatic",
    confidence: "Confidence (1–10)",
    note: "Note",
    notePlaceholder: "What changed since the last check-in?",
    preview: "After this check-in",
    previewParent: "{{title}} would move to {{progress}}",
    save: "Save check-in",
    saved: "Check-in saved",
  },
  explorer: {
    title: "Explorer",
    search: "Search titles",
    export: "Export CSV",
    count: "{{count}} objectives",
  },
  map: { title: "Alignment map", search: "Find a node", nodes: "{{count}} nodes" },
};

void i18next.init({
  lng: "en",
  fallbackLng: "en",
  resources: { en: { translation: en } },
  interpolation: { escapeValue: false },
});

/** Translates a key such as "home.title", with {{placeholders}} filled from `vars`. */
export function t(key: string, vars?: Record<string, unknown>): string {
  return i18next.t(key, vars ?? {});
}
