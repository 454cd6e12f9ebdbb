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
    dashboard: "Dashboard",
    settings: "Settings",
    people: "Teams and people",
    kpis: "KPIs",
    periodClose: "Close the period",
    periods: "Periods",
    period: "Period",
    signOut: "Sign out",
    profile: "My profile",
    admin: "Administration",
    audit: "Audit trail",
    trash: "Trash",
    security: "Sign-on and provisioning",
    theme: "Switch light or dark theme",
    api: "API reference",
  },
  audit: {
    system: "Okra",
    /** Readable names of audit actions; others are shown as "object · verb". */
    actions: {
      objective: {
        created: "created the objective",
        updated: "edited the objective",
        deleted: "deleted the objective",
        restored: "restored the objective from the trash",
        closed: "closed the objective",
        reopened: "reopened the objective",
        postponed: "postponed the objective",
      },
      keyResult: {
        created: "added a key result",
        updated: "edited a key result",
        deleted: "deleted a key result",
        restored: "restored a key result",
      },
      checkIn: {
        created: "checked in",
        updated: "edited a check-in",
        deleted: "deleted a check-in",
        restored: "restored a check-in",
      },
      alignment: {
        created: "aligned",
        updated: "changed an alignment",
        deleted: "removed an alignment",
      },
      initiative: {
        created: "added an initiative",
        updated: "updated an initiative",
        deleted: "deleted an initiative",
      },
    },
  },
  signIn: {
    title: "Sign in to Okra",
    email: "Email",
    password: "Password",
    submit: "Sign in",
    failed: "Could not sign you in",
    forgot: "Forgot your password?",
    or: "or",
    sso: "Sign in with single sign-on",
    ssoNeedsEmail: "Enter your work email first: it tells Okra which organisation's sign-on to use.",
    useToken: "Use an API token instead",
    intro: "Paste an API token. The server printed the admin's on its first start; this command issues another:",
    introCommand: "npx okra token create --email you@example.com",
    token: "API token",
    submitToken: "Sign in with the token",
    invalid: "This token was not accepted: {{message}}",
  },
  roles: {
    owner: "Owner",
    admin: "Admin",
    member: "Member",
    observer: "Observer (read only)",
  },
  profile: {
    title: "My profile",
    you: "About you",
    name: "Name",
    email: "Email",
    role: "Role",
    saveName: "Save name",
    saved: "Saved.",
    setPassword: "Set a password",
    changePassword: "Change your password",
    currentPassword: "Current password",
    newPassword: "New password",
    passwordEffect: "Your other browser sessions will be signed out.",
    savePassword: "Save password",
    passwordSaved: "Password saved. Your other sessions are signed out.",
    sessions: "Where you are signed in",
    signOutEverywhere: "Sign out everywhere",
    noSessions: "No browser sessions.",
    browser: "Browser",
    signedIn: "Signed in",
    lastSeen: "Last active",
    thisSession: "This browser",
    endSession: "Sign out",
    unknownBrowser: "Unknown browser",
    method: { password: "with a password", sso: "with single sign-on", link: "with a sign-in link" },
    actions: "Actions",
    tokens: "API tokens",
    tokensIntro:
      "Tokens let scripts and tools use the API as you. A read token can only read. Each is shown once; store it like a password.",
    tokenOnce: "Copy your new token now: it will not be shown again.",
    copy: "Copy",
    copied: "Copied",
    tokenName: "Name",
    tokenNameHint: "e.g. weekly report script",
    tokenScope: "Access",
    scope: { read: "Read only", write: "Read and write" },
    createToken: "Create token",
    noTokens: "No API tokens yet.",
    created: "Created",
    lastUsed: "Last used",
    never: "Never",
    revoke: "Revoke",
    revokeNamed: "Revoke the token {{name}}",
  },
  forgot: {
    noMail:
      "This Okra server cannot send email, so no reset link can reach you. Ask an admin for a sign-in link: they can make one on the server with okra signin-link.",
    title: "Reset your password",
    intro:
      "Enter the email you sign in with. If it belongs to an account, we email you a link to choose a new password.",
    submit: "Email me a link",
    sent: "If {{email}} belongs to an account, a link is on its way. It works once, for an hour.",
    back: "Back to sign-in",
  },
  setPassword: {
    inviteTitle: "Welcome to Okra",
    inviteIntro: "Choose a password to finish setting up your account.",
    resetTitle: "Choose a new password",
    resetIntro: "Your other sessions will be signed out.",
    noToken: "This page needs the link from your email; open it from there.",
    name: "Your name",
    nameHint: "Leave it empty to keep the name your admin entered.",
    password: "Password",
    rules: "At least 10 characters; not your email or name.",
    again: "Password again",
    mismatch: "The two passwords differ.",
    inviteSubmit: "Set password and sign in",
    resetSubmit: "Save and sign in",
  },
  status: { notStarted: "Not started", onTrack: "On track", behind: "Behind", atRisk: "At risk", closed: "Closed" },
  level: { organization: "Organisation", team: "Team", individual: "Individual" },
  notFound: {
    title: "There is no page here",
    text: "The address may be mistyped, or the page has moved.",
    itemTitle: "Not found",
    itemText: "It may have been deleted (look in the trash), or you may not have access to it.",
    back: "Back to My OKRs",
  },
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
    andMore: "and {{count}} more",
  },
  home: {
    title: "My OKRs",
    subtitle: "{{name}} · {{period}}",
    due: "Due a check-in",
    dueNone: "All your key results are up to date.",
    dueMore: "Show more ({{count}} not shown yet)",
    mine: "My objectives",
    none: "You own no objectives in this period.",
    organisation: "The organisation's objectives",
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
    private: "Private",
    privateHelp: "Only its owners, their managers, the team's owners and admins see it.",
    privateBadge: "Private",
    aspirational: "Aspirational",
    noParents: "Not aligned to anything.",
    noChildren: "Nothing aligns to this yet.",
    notCounted: "(not counted)",
    waiting: "(waiting for approval by its owners)",
    requests: "Asking to count toward this",
    requestsHelp: "Their owners aligned these here; they count toward this objective once you accept.",
    accept: "Accept",
    decline: "Decline",
    acceptLabel: "Accept {{title}}",
    declineLabel: "Decline {{title}}",
    noInitiatives: "No initiatives yet.",
    coach: "Coach",
    coachNone: "The coach has nothing to say about this objective.",
  },
  keyResult: {
    chart: "Value over time",
    value: "Value",
    planned: "Expected",
    checkIns: "Check-ins",
    noCheckIns: "No check-ins yet.",
    author: "By",
    low: "Forecast, low (80 %)",
    high: "Forecast, high (80 %)",
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
  create: {
    titleTooLong:
      "A title may be at most {{max}} characters; this one has {{count}}. Shorten it (the details fit in the description).",
    open: "New objective",
    title: "New objective",
    template: "Start from a template",
    templatePlaceholder: "Pick an example OKR (optional)",
    alignTo: "Align under",
    alignPlaceholder: "Search objectives and key results",
    kr: "Key result",
    type: "Type",
    start: "Start",
    target: "Target",
    unit: "Unit",
    addKr: "Add a key result",
    removeKr: "Remove key result",
    coach: "Coach",
    submit: "Create objective",
  },
  edit: {
    delegates: "Delegates",
    delegatesHelp: "People who may check in on the owners' behalf.",
    objective: "Edit objective",
    keyResult: "Edit key result",
    open: "Edit",
    clone: "Clone",
    cloned: "Copy created",
    description: "Description",
    override: "Progress set by hand",
    overrideHelp: "Leave empty to let progress roll up from the key results.",
    mode: "Progress from",
    manual: "Its own check-ins",
    rollup: "Items aligned to it",
    rollupMethod: "Roll-up",
    method: { mean: "Mean", sum: "Sum of values", proportional: "Proportional to size" },
    conflict: "Someone changed this in the meantime. It has been reloaded: check it and save again.",
    delete: "Delete",
    deleteCheckIn: "Delete this check-in",
    editCheckIn: "Edit this check-in",
  },
  close: {
    open: "Close and score",
    title: "Close: {{title}}",
    suggested: "suggested {{score}}",
    score: "Score",
    reason: "Why this score?",
    objectiveScore: "Objective score: {{score}}",
    note: "Closing note",
    learnings: "What we learned",
    next: "What we do next",
    submit: "Close objective",
    reopen: "Reopen",
  },
  krType: {
    increase: "Increase",
    decrease: "Decrease",
    stayAbove: "Stay above",
    stayBelow: "Stay below",
    milestone: "Milestone",
    baseline: "Baseline",
  },
  unit: { number: "Number", percent: "Percent", currency: "Currency" },
  explorer: {
    title: "Explorer",
    search: "Search titles",
    export: "Export CSV",
    progress: "Progress {{min}}–{{max}} %",
    progressFrom: "Lowest progress",
    progressTo: "Highest progress",
    views: "Saved views",
    viewsPlaceholder: "Open a saved view",
    viewName: "Name this view",
    saveView: "Save view",
    count_one: "{{count}} objective",
    count_other: "{{count}} objectives",
    countMore: "{{count}}+ objectives (more load as you scroll)",
    countAmong: "{{count}} match among the first {{loaded}} objectives (more load as you scroll)",
    serverOrder: "Shown in list order; sorting by a column loads them all first.",
  },
  periodClose: {
    title: "Close {{period}}",
    intro:
      "Score each objective (the suggestion follows its key results' progress), write down what you learned, postpone what continues, then close the period.",
    postponeTo: "Postpone to",
    postpone: "Postpone",
    postponed: "Copied into the next period",
    closeAll: "Close the period",
    actions: "Actions",
    done: "Period closed",
    summary:
      "{{closed}} objectives closed now, {{total}} in all. Average score {{average}}: {{green}} green, {{yellow}} yellow, {{red}} red.",
  },
  people: {
    title: "Teams and people",
    teams: "Teams",
    people: "People",
    partOf: "in {{team}}",
    members_one: "{{count}} member",
    members_other: "{{count}} members",
    owners: "owned by {{names}}",
    ownedBy: "owned by",
    search: "Find a person (name or email)",
    objectives_one: "{{count}} objective this period",
    objectives_other: "{{count}} objectives this period",
    dashboard: "Open the team's dashboard",
    name: "Name",
    email: "Email",
    manager: "Manager",
    role: "Role",
    inactive: "deactivated",
    invite: "Invite a person",
    actions: "Actions",
    actionsFor: "Actions for {{name}}",
    changeRole: "Change role",
    roleOf: "Role of {{name}}",
    saveRole: "Save role",
    roleChanged: "{{name}} is now {{role}}.",
    rolesExplain:
      "Owners and admins manage people, periods and settings; members create and update OKRs; observers read only. Only owners can make someone an owner.",
    reinvite: "Send a new invitation",
    deactivate: "Deactivate",
    reactivate: "Reactivate",
    deactivated: "{{name}} is deactivated: their sessions and tokens stop working.",
    reactivated: "{{name}} is active again.",
  },
  teams: {
    create: "New team",
    createSubmit: "Create team",
    edit: "Edit {{name}}",
    editButton: "Edit team",
    editNamed: "Edit team {{name}}",
    name: "Team name",
    parent: "Part of",
    parentAdminsOnly: "Only admins move teams in the hierarchy.",
    owners: "Team owners",
    ownersHelp: "They edit the team and its objectives, and see its private objectives.",
    members: "Members",
    save: "Save team",
  },
  invite: {
    title: "Invite a person",
    submit: "Invite",
    done: "Done",
    explain: "They receive an email with a link to choose a password (valid 7 days).",
    sent: "Invitation sent to {{email}}.",
    linkTitle: "Pass this link on",
    noMail:
      "This server sends no email, so pass this invitation link to {{email}} yourself (it works once, for 7 days):",
  },
  settings: {
    title: "Settings",
    name: "Organisation name",
    timeZone: "Time zone",
    timeZoneHelp: "Periods start and end at midnight in this zone.",
    grace: "Days before an item without a check-in counts as started",
    behind: "Behind up to (points short of plan)",
    behindHelp: "Beyond this gap an item is at risk.",
    cadence: "Check-in cadence in days",
    checkInGrace: "Days before a key result starts that a check-in may be dated",
    initiatives: "Initiatives count toward progress",
    membersCreate: "Team members may create their team's objectives",
    membersCreateHelp: "Team owners and admins always may.",
    privateUnderPublic: "Private objectives may align under public ones",
    privateUnderPublicHelp: "Their progress then shows in the public objective's roll-up.",
    terminology: "Terminology",
    terminologyHelp: "Rename the building blocks to the words your organisation uses.",
    objective: "Objective",
    keyResult: "Key result",
    initiative: "Initiative",
    saved: "Settings saved",
    recomputing:
      "Figures are being recomputed for the new settings ({{done}} of {{total}} key results). Pages show the figures recomputed so far.",
    recomputingQueued: "Figures are waiting to be recomputed for the new settings.",
  },
  dashboard: {
    title: "Dashboard",
    allTeams: "The whole organisation",
    present: "Present",
    statuses: "Objectives by status",
    progress: "Average progress",
    freshness: "Check-in freshness",
    stale_one: "{{count}} key result without a check-in this week",
    stale_other: "{{count}} key results without a check-in this week",
    fromFirst: "From the first {{count}} objectives.",
    overTime: "Progress over time",
    risks: "Top risks",
    coach: "Coach",
  },
  coach: {
    none: "The coach has nothing to say about what is shown here.",
    more: "…and {{count}} more.",
  },
  kpis: {
    title: "KPIs",
    healthy: "Healthy",
    unhealthy: "Out of range",
    noValue: "No value yet",
    range: "Healthy range",
    trend: "Recent values: {{values}}",
    current: "Latest",
    none: "No KPIs yet. Create them with POST /api/v1/kpis.",
  },
  map: { title: "Alignment map", search: "Find a node", nodes_one: "{{count}} node", nodes_other: "{{count}} nodes" },
  picker: {
    more: "More match: type more to narrow the list",
    nothing: "Nothing matches",
  },
  list: {
    loadMore: "Load more",
    loadingMore: "Loading more…",
    shown: "{{shown}} shown",
    shownOfMore: "{{shown}} shown, more to load",
  },
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

export interface Terminology {
  objective: string;
  keyResult: string;
  initiative: string;
}

/** English plural of a term: "Goal" → "Goals", "Priority" → "Priorities". */
function plural(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(word)) return `${word}es`;
  return `${word}s`;
}

/** Rewrites a string so "objective", "key result" and "initiative" read as the organisation's own words. */
export function rename(text: string, terms: Terminology): string {
  const pairs: [RegExp, string][] = [
    [/\bkey results\b/gi, plural(terms.keyResult)],
    [/\bkey result\b/gi, terms.keyResult],
    [/\bobjectives\b/gi, plural(terms.objective)],
    [/\bobjective\b/gi, terms.objective],
    [/\binitiatives\b/gi, plural(terms.initiative)],
    [/\binitiative\b/gi, terms.initiative],
  ];
  let out = text;
  for (const [re, word] of pairs) {
    out = out.replace(re, (m) =>
      m.charAt(0) === m.charAt(0).toUpperCase() ? word.charAt(0).toUpperCase() + word.slice(1) : word.toLowerCase(),
    );
  }
  return out;
}

function mapStrings(obj: unknown, f: (s: string) => string): unknown {
  if (typeof obj === "string") return f(obj);
  if (obj && typeof obj === "object")
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, mapStrings(v, f)]));
  return obj;
}

let applied = "";
let appliedTerms: Terminology | undefined;
/** Strings kept in an area's own file (e.g. i18n-periods.ts), by their top-level key. */
const areas: Record<string, unknown> = {};

/** Applies the organisation's terminology (the defaults when undefined); cheap when unchanged. */
export function applyTerminology(terms: Terminology | undefined): void {
  const key = terms ? `${terms.objective}|${terms.keyResult}|${terms.initiative}` : "";
  if (key === applied) return;
  applied = key;
  appliedTerms = terms;
  const all = { ...en, ...areas };
  const strings = terms ? mapStrings(all, (x) => rename(x, terms)) : all;
  i18next.addResourceBundle("en", "translation", strings, true, true);
}

/** Adds an area's strings under `key`; they follow the organisation's terminology like the rest. */
export function addStrings(key: string, strings: Record<string, unknown>): void {
  areas[key] = strings;
  const terms = appliedTerms;
  const value = terms ? mapStrings(strings, (x) => rename(x, terms)) : strings;
  i18next.addResourceBundle("en", "translation", { [key]: value }, true, true);
}
